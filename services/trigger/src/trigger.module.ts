import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeyGuard } from '@baton/service-kit';
import { BacktestRunner } from './inbound/backtest-runner.js';
import { BacktestsController } from './inbound/backtests.controller.js';
import { DeadLetterCollector } from './inbound/dead-letter-collector.js';
import { DeadLettersController } from './inbound/dead-letters.controller.js';
import { RunDeadlineSweeper } from './inbound/run-deadline-sweeper.js';
import { RunsController } from './inbound/runs.controller.js';
import { StepValueController } from './inbound/step-value.controller.js';
import { StatsController } from './inbound/stats.controller.js';
import { ScheduleTimer } from './inbound/schedule-timer.js';
import { TriggerMessagesController } from './inbound/trigger-messages.controller.js';
import { DeadLettersUseCase } from './use-cases/dead-letters/dead-letters.use-case.js';
import { CancelRunUseCase } from './use-cases/cancel-run/cancel-run.use-case.js';
import { ExpireRunsUseCase } from './use-cases/expire-runs/expire-runs.use-case.js';
import { FireSchedulesUseCase } from './use-cases/fire-schedules/fire-schedules.use-case.js';
import { QueryRunsUseCase } from './use-cases/query-runs/query-runs.use-case.js';
import { QueryStatsUseCase } from './use-cases/query-stats/query-stats.use-case.js';
import { RecordRunEventUseCase } from './use-cases/record-run-event/record-run-event.use-case.js';
import { StartRunUseCase } from './use-cases/start-run/start-run.use-case.js';
import { ListWorkflowsUseCase } from './use-cases/list-workflows/list-workflows.use-case.js';
import { PublishBundledWorkflows } from './use-cases/publish-workflow/publish-bundled-workflows.js';
import { PublishWorkflowUseCase } from './use-cases/publish-workflow/publish-workflow.use-case.js';
import { WorkflowsController } from './inbound/workflows.controller.js';
import { PromoteWorkflowUseCase } from './use-cases/promote-workflow/promote-workflow.use-case.js';
import { RecordCaseResultsUseCase } from './use-cases/record-case-results/record-case-results.use-case.js';
import { ReportBacktestUseCase } from './use-cases/report-backtest/report-backtest.use-case.js';
import { RunBacktestsUseCase } from './use-cases/run-backtests/run-backtests.use-case.js';
import { StartBacktestUseCase } from './use-cases/start-backtest/start-backtest.use-case.js';
import { Backtests } from './store/backtests.repository.js';
import { DeadLetterStore } from './store/dead-letters.repository.js';
import { CaseResults } from './store/case-results.repository.js';
import { RunLedger } from './store/run-ledger.repository.js';
import { RunOutcomes } from './store/run-outcomes.repository.js';
import { StepValueRuns } from './store/step-value.repository.js';
import { QueryStepValueUseCase } from './use-cases/query-step-value/query-step-value.use-case.js';
import { ScheduleTicks } from './store/schedule-ticks.repository.js';
import { WorkflowPublishLock } from './store/workflow-publish-lock.js';

@Module({
  controllers: [
    RunsController,
    StatsController,
    TriggerMessagesController,
    WorkflowsController,
    BacktestsController,
    StepValueController,
    DeadLettersController,
  ],
  providers: [
    RunLedger,
    RunOutcomes,
    QueryStatsUseCase,
    ScheduleTicks,
    WorkflowPublishLock,
    CancelRunUseCase,
    StartRunUseCase,
    RecordRunEventUseCase,
    QueryRunsUseCase,
    FireSchedulesUseCase,
    ScheduleTimer,
    ExpireRunsUseCase,
    RunDeadlineSweeper,
    PublishWorkflowUseCase,
    ListWorkflowsUseCase,
    PublishBundledWorkflows,
    PromoteWorkflowUseCase,
    CaseResults,
    RecordCaseResultsUseCase,
    Backtests,
    StartBacktestUseCase,
    RunBacktestsUseCase,
    ReportBacktestUseCase,
    BacktestRunner,
    StepValueRuns,
    QueryStepValueUseCase,
    DeadLetterStore,
    DeadLettersUseCase,
    DeadLetterCollector,
    { provide: APP_GUARD, useClass: ApiKeyGuard },
  ],
})
export class TriggerModule {}
