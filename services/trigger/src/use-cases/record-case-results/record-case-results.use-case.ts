import { Inject, Injectable } from '@nestjs/common';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsISO8601,
  IsString,
  Length,
  Matches,
  Min,
  ValidateNested,
} from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import type { DataSource } from 'typeorm';
import { WorkflowRef, uuidv7, workflowRecordKey } from '@baton/contracts';
import { DATA_SOURCE, LOGGER, WORKFLOWS, type Principal } from '@baton/service-kit';
import type { Logger } from '@baton/telemetry';
import type { WorkflowCatalog } from '@baton/workflow';
import { TriggerError, TriggerErrorCode } from '../../domain/trigger-error.js';
import { CaseResults } from '../../store/case-results.repository.js';

/** Cases one suite run records at most. */
export const CASE_RESULTS_MAX = 1000;

/** One case of the suite: its name and whether it passed. */
export class CaseOutcomeBody {
  @JSONSchema({ description: 'The case name (its file name without .yaml).' })
  @IsString()
  @Length(1, 200)
  name!: string;
  @IsBoolean() passed!: boolean;
}

/** `POST /v1/workflows/{id}/versions/{version}/case-results`. */
export class RecordCaseResultsBody {
  @JSONSchema({
    description:
      'The digest of the definition the cases ran against: it must be the published version’s, so results of other content are never recorded for it.',
  })
  @Matches(/^[0-9a-f]{64}$/, { message: 'digest must be 64 lowercase hex digits (SHA-256)' })
  digest!: string;
  @JSONSchema({ description: 'Every case of the suite, as run.' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(CASE_RESULTS_MAX)
  @ValidateNested({ each: true })
  @Type(() => CaseOutcomeBody)
  cases!: CaseOutcomeBody[];
}

/** A recorded case-suite result. */
export class RecordedCaseResults {
  @IsString() id!: string;
  @ValidateNested() @Type(() => WorkflowRef) workflow!: WorkflowRef;
  @IsInt() @Min(0) passed!: number;
  @IsInt() @Min(0) failed!: number;
  @IsString() recordedBy!: string;
  @IsISO8601() recordedAt!: string;
}

/**
 * Records what `baton cases` found when it ran a workflow version's case suite, for a publish
 * gate that requires `cases` (PromoteWorkflowUseCase reads the most recent one).
 */
@Injectable()
export class RecordCaseResultsUseCase {
  constructor(
    @Inject(WORKFLOWS) private readonly workflows: WorkflowCatalog,
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly caseResults: CaseResults,
  ) {}

  async execute(
    request: { workflowId: string; version: number; body: RecordCaseResultsBody },
    principal: Principal,
    now: Date = new Date(),
  ): Promise<RecordedCaseResults> {
    const { workflowId, version, body } = request;
    const key = workflowRecordKey(workflowId, version);
    await this.workflows.catchUp();
    const entry = this.workflows.entry(workflowId, version);
    if (!entry?.publishedAt) {
      throw new TriggerError(TriggerErrorCode.WorkflowNotFound, `${key} is not published`);
    }
    if (entry.digest !== body.digest) {
      throw new TriggerError(
        TriggerErrorCode.DefinitionMismatch,
        `digest: the cases ran against other content (${body.digest}) than ${key} holds (${entry.digest})`,
      );
    }
    const passed = body.cases.filter((c) => c.passed).length;
    const id = uuidv7(now.getTime());
    await this.caseResults.insert(this.dataSource.manager, {
      id,
      workflow_id: workflowId,
      version,
      passed,
      failed: body.cases.length - passed,
      cases: body.cases.map(({ name, passed }) => ({ name, passed })),
      recorded_by: principal.name,
      recorded_at: now,
    });
    this.logger.info(
      { workflow: key, passed, failed: body.cases.length - passed, by: principal.name },
      'case results recorded',
    );
    return {
      id,
      workflow: { id: workflowId, version },
      passed,
      failed: body.cases.length - passed,
      recordedBy: principal.name,
      recordedAt: now.toISOString(),
    };
  }
}
