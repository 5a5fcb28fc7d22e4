import { Inject, Injectable } from '@nestjs/common';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsString,
  Min,
  ValidateNested,
} from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import type { DataSource } from 'typeorm';
import { Nullable, workflowRecordKey } from '@baton/contracts';
import { Routes, type MessagingRuntime } from '@baton/messaging';
import {
  DATA_SOURCE,
  LOGGER,
  MESSAGING_RUNTIME,
  WORKFLOWS,
  promotionOf,
  publishWorkflowRecords,
  workflowRecordOf,
  type Principal,
} from '@baton/service-kit';
import type { Logger } from '@baton/telemetry';
import { GATE_REQUIREMENTS, type CatalogEntry, type WorkflowCatalog } from '@baton/workflow';
import { checkGate, type GateBacktest } from '../../domain/publish-gate.js';
import { TriggerError, TriggerErrorCode } from '../../domain/trigger-error.js';
import { Backtests } from '../../store/backtests.repository.js';
import { CaseResults } from '../../store/case-results.repository.js';
import { WorkflowPublishLock } from '../../store/workflow-publish-lock.js';
import { WorkflowSummary, summaryOf } from '../list-workflows/list-workflows.use-case.js';
import { ReportBacktestUseCase } from '../report-backtest/report-backtest.use-case.js';

/** One threshold of a gate requirement: what was measured beside what the gate asks. */
export class GateMeasure {
  @JSONSchema({
    description:
      'agreementRate, newRefusedWrites, runs, windowMinutes (backtest); cases, failedCases (cases).',
  })
  @IsString()
  name!: string;
  @Nullable('What was measured; null with nothing to measure (no backtest, no corrected run).')
  @IsNumber()
  measured!: number | null;
  @IsNumber() threshold!: number;
  @JSONSchema({ description: 'at-least: measured ≥ threshold; at-most: measured ≤ threshold.' })
  @IsIn(['at-least', 'at-most'])
  bound!: 'at-least' | 'at-most';
  @IsBoolean() met!: boolean;
}

/** One requirement of a publish gate: met or not, and what was measured. */
export class GateCheck {
  @IsIn(GATE_REQUIREMENTS) requirement!: 'backtest' | 'cases';
  @IsBoolean() met!: boolean;
  @JSONSchema({ description: 'One line for people.' })
  @IsString()
  summary!: string;
  @Nullable('backtest: the backtest read (the most recent finished one); null when none.')
  @IsString()
  backtestId!: string | null;
  @Nullable('cases: the case result read (the most recent one); null when none.')
  @IsString()
  caseResultId!: string | null;
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => GateMeasure)
  measures!: GateMeasure[];
}

/** A candidate's publish gate, checked: every requirement the definition declares. */
export class PublishGateReport {
  @JSONSchema({ description: 'True when every requirement is met.' })
  @IsBoolean()
  met!: boolean;
  @Nullable('The live version the candidate is compared with; null when none is live.')
  @IsInt()
  @Min(1)
  against!: number | null;
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => GateCheck)
  requirements!: GateCheck[];
}

/** `POST /v1/workflows/{id}/versions/{version}/promote`: the version, now live. */
export class PromotedWorkflow extends WorkflowSummary {
  @JSONSchema({
    description: 'True when this request promoted it; false when it was live already.',
  })
  @IsBoolean()
  promoted!: boolean;
  @Nullable('The gate checked; null without a gate, or when the version was live already.')
  @ValidateNested()
  @Type(() => PublishGateReport)
  gate!: PublishGateReport | null;
}

/**
 * Promotes a candidate version (docs/changing-workflows.md#candidate-versions): checks its
 * publish gate here, on the server (the most recent finished backtest against the live version,
 * the most recent recorded case results), then republishes its registry record live, with who
 * promoted it and — when an admin overrode a failed gate — why. Every service's catalog
 * follows the registry topic, so new triggers everywhere start it from then on.
 */
@Injectable()
export class PromoteWorkflowUseCase {
  constructor(
    @Inject(WORKFLOWS) private readonly workflows: WorkflowCatalog,
    @Inject(MESSAGING_RUNTIME) private readonly runtime: MessagingRuntime,
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly routes: Routes,
    private readonly publishLock: WorkflowPublishLock,
    private readonly backtests: Backtests,
    private readonly caseResults: CaseResults,
    private readonly reportBacktest: ReportBacktestUseCase,
  ) {}

  async execute(
    request: { workflowId: string; version: number; override?: { reason: string } },
    principal: Principal,
    now: Date = new Date(),
  ): Promise<PromotedWorkflow> {
    const { workflowId, version, override } = request;
    const key = workflowRecordKey(workflowId, version);
    return this.publishLock.holding(key, async () => {
      await this.workflows.catchUp();
      const entry = this.workflows.entry(workflowId, version);
      if (!entry?.publishedAt) {
        throw new TriggerError(TriggerErrorCode.WorkflowNotFound, `${key} is not published`);
      }
      if (!entry.candidate)
        return { ...summaryOf(entry, this.workflows), promoted: false, gate: null };
      const live = this.workflows.latest(workflowId);
      if (live && live.version > version) {
        throw new TriggerError(
          TriggerErrorCode.CandidateSuperseded,
          `${key} is below the live version ${live.version}: promoting it would take ${workflowId} back; publish its content as version ${(this.workflows.highest(workflowId)?.version ?? version) + 1}`,
        );
      }
      const gate = await this.check(entry, live?.version);
      const overridden = gate !== null && !gate.met && override !== undefined;
      if (gate && !gate.met && !overridden) {
        const failed = gate.requirements.filter((r) => !r.met);
        throw new TriggerError(
          TriggerErrorCode.PublishGateFailed,
          `${key}: the publish gate is not met (${failed.map((r) => r.requirement).join(', ')}); an admin can override it with a reason`,
          failed.map((r) => `${r.requirement}: ${r.summary}`),
          { gate },
        );
      }
      const record = workflowRecordOf(entry, {
        publishedAt: new Date(entry.publishedAt!),
        publishedBy: entry.publishedBy!,
        source: entry.source,
        promotion: {
          at: now,
          by: principal.name,
          ...(overridden ? { overrideReason: override.reason } : {}),
        },
      });
      await publishWorkflowRecords(
        this.runtime.transport,
        this.routes.names.workflowDefinitions,
        [record],
        this.runtime.signer,
      );
      const added = this.workflows.add({
        workflow: entry.workflow,
        document: entry.document,
        digest: entry.digest,
        source: entry.source,
        publishedAt: record.publishedAt,
        publishedBy: record.publishedBy,
        ...promotionOf(record),
      });
      const promoted = added.outcome === 'conflict' ? added.existing : added.entry;
      this.logger.info(
        {
          workflow: key,
          by: principal.name,
          gate: gate ? (gate.met ? 'met' : 'overridden') : 'none',
          ...(overridden ? { overrideReason: override.reason } : {}),
        },
        'workflow candidate version promoted',
      );
      return { ...summaryOf(promoted, this.workflows), promoted: true, gate };
    });
  }

  /** The publish gate checked; null when neither the version nor the live one declares one. */
  private async check(
    entry: CatalogEntry,
    against: number | undefined,
  ): Promise<PublishGateReport | null> {
    const { workflow } = entry;
    // Its own gate, or the live version's when it declares none (leaving it out does not lift it).
    const spec =
      workflow.publish ??
      (against !== undefined ? this.workflows.get(workflow.id, against)?.publish : undefined);
    if (!spec) return null;
    const manager = this.dataSource.manager;
    const requires = new Set(spec.requires);
    const backtest =
      requires.has('backtest') && against !== undefined
        ? await this.lastFinishedBacktest(workflow.id, workflow.version, against)
        : undefined;
    const cases = requires.has('cases')
      ? await this.caseResults.latest(manager, workflow.id, workflow.version)
      : undefined;
    const requirements = checkGate(spec, {
      against,
      backtest,
      cases: cases && { id: cases.id, passed: cases.passed, failed: cases.failed },
    });
    return { met: requirements.every((r) => r.met), against: against ?? null, requirements };
  }

  /** The most recent backtest of the version against `against` whose runs have all ended. */
  private async lastFinishedBacktest(
    workflowId: string,
    version: number,
    against: number,
  ): Promise<GateBacktest | undefined> {
    const rows = await this.backtests.ofVersion(this.dataSource.manager, {
      workflowId,
      version,
      against,
    });
    for (const row of rows) {
      const report = await this.reportBacktest.execute(row.id);
      if (report.status === 'finished') return report;
    }
    return undefined;
  }
}
