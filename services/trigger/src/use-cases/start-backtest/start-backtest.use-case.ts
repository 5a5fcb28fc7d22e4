import { Inject, Injectable } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsString, Min, ValidateNested } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import type { DataSource } from 'typeorm';
import { WorkflowRef, uuidv7 } from '@baton/contracts';
import { DATA_SOURCE, LOGGER, WORKFLOWS, type Principal } from '@baton/service-kit';
import type { Logger } from '@baton/telemetry';
import type { WorkflowCatalog } from '@baton/workflow';
import { TriggerError, TriggerErrorCode } from '../../domain/trigger-error.js';
import { Backtests } from '../../store/backtests.repository.js';

/** Runs a backtest replays at most, and by default. */
export const BACKTEST_LIMIT_MAX = 5000;
export const BACKTEST_LIMIT_DEFAULT = 500;

export interface BacktestRequest {
  workflowId: string;
  version: number;
  /** The version whose runs are replayed; the highest live version below `version` when absent. */
  against?: number;
  since: Date;
  until: Date;
  limit: number;
}

/** The window a backtest took its runs from. */
export class BacktestWindow {
  @IsISO8601() since!: string;
  @IsISO8601() until!: string;
}

/** A backtest as started: its id, what it compares and how many runs it replays. */
export class StartedBacktest {
  @JSONSchema({ description: 'The backtest id: `GET /v1/backtests/{id}` reports it.' })
  @IsString()
  backtestId!: string;
  @JSONSchema({ description: 'The candidate version every run is replayed against, in shadow.' })
  @ValidateNested()
  @Type(() => WorkflowRef)
  workflow!: WorkflowRef;
  @JSONSchema({ description: 'The version whose recorded runs are replayed.' })
  @IsInt()
  @Min(1)
  against!: number;
  @ValidateNested() @Type(() => BacktestWindow) window!: BacktestWindow;
  @JSONSchema({
    description:
      'Runs it replays: the ended runs of `against` in the window, oldest first, up to the limit.',
  })
  @IsInt()
  @Min(0)
  runs!: number;
}

/**
 * Starts a backtest (docs/changing-workflows.md): records which ended runs of the `against`
 * version in the window it replays. The runs themselves are started later, a few at a time
 * (RunBacktestsUseCase), so a large backtest never crowds out live work.
 */
@Injectable()
export class StartBacktestUseCase {
  constructor(
    @Inject(WORKFLOWS) private readonly workflows: WorkflowCatalog,
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly backtests: Backtests,
  ) {}

  async execute(
    request: BacktestRequest,
    principal: Principal,
    now: Date = new Date(),
  ): Promise<StartedBacktest> {
    const { workflowId, version } = request;
    if (!this.workflows.get(workflowId, version)) {
      throw new TriggerError(
        TriggerErrorCode.WorkflowNotFound,
        `version: ${workflowId}@${version} is not published`,
      );
    }
    const against = request.against ?? this.previousVersion(workflowId, version);
    if (against === undefined) {
      throw new TriggerError(
        TriggerErrorCode.InvalidBody,
        `against: ${workflowId} has no version below ${version} to compare with; name one`,
      );
    }
    if (against === version) {
      throw new TriggerError(
        TriggerErrorCode.InvalidBody,
        `against: the runs of ${workflowId}@${version} cannot be replayed against themselves`,
      );
    }
    if (request.since >= request.until) {
      throw new TriggerError(TriggerErrorCode.InvalidBody, 'since: must be before until');
    }
    const id = uuidv7(now.getTime());
    const runs = await this.dataSource.transaction(async (manager) => {
      const sources = await this.backtests.sourceRuns(manager, {
        workflowId,
        version: against,
        since: request.since,
        until: request.until,
        limit: request.limit,
      });
      await this.backtests.insert(
        manager,
        {
          id,
          workflow_id: workflowId,
          version,
          against_version: against,
          since: request.since,
          until: request.until,
          requested_by: principal.name,
          created_at: now,
        },
        sources,
      );
      return sources.length;
    });
    this.logger.info(
      { backtestId: id, workflowId, version, against, runs, by: principal.name },
      'backtest started',
    );
    return {
      backtestId: id,
      workflow: { id: workflowId, version },
      against,
      window: { since: request.since.toISOString(), until: request.until.toISOString() },
      runs,
    };
  }

  /** The highest live version below `version`; else the highest below it, candidates too. */
  private previousVersion(workflowId: string, version: number): number | undefined {
    const below = this.workflows
      .entries()
      .filter((e) => e.workflow.id === workflowId && e.workflow.version < version);
    const live = below.filter((e) => !e.candidate).map((e) => e.workflow.version);
    const any = below.map((e) => e.workflow.version);
    return live.length ? Math.max(...live) : any.length ? Math.max(...any) : undefined;
  }
}
