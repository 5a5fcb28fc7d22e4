import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { EffectLedger } from '@baton/effects';
import { ApiKeyGuard, EndedRuns } from '@baton/service-kit';
import { EffectsController } from './inbound/effects.controller.js';
import { EscalationController } from './inbound/escalation.controller.js';
import { SlaSweeper } from './inbound/sla-sweeper.js';
import { TasksController } from './inbound/tasks.controller.js';
import { ChainStore } from './store/chain-store.js';
import { ClaimStore } from './store/claim-store.js';
import { NotificationStore } from './store/notification-store.js';
import { TaskStore } from './store/task-store.js';
import { ApproveTaskUseCase } from './use-cases/approve-task/approve-task.use-case.js';
import { ClaimTaskUseCase } from './use-cases/claim-task/claim-task.use-case.js';
import { CloseRunTasksUseCase } from './use-cases/close-run-tasks/close-run-tasks.use-case.js';
import { CreateTaskUseCase } from './use-cases/create-task/create-task.use-case.js';
import { DeliverNotificationsUseCase } from './use-cases/deliver-notifications/deliver-notifications.use-case.js';
import { EscalateOverdueTasksUseCase } from './use-cases/escalate-overdue-tasks/escalate-overdue-tasks.use-case.js';
import { GetTaskUseCase } from './use-cases/get-task/get-task.use-case.js';
import { ListEffectsUseCase } from './use-cases/list-effects/list-effects.use-case.js';
import { ListTasksUseCase } from './use-cases/list-tasks/list-tasks.use-case.js';
import { RecordEffectUseCase } from './use-cases/record-effect/record-effect.use-case.js';
import { RejectTaskUseCase } from './use-cases/reject-task/reject-task.use-case.js';
import { ReleaseTaskUseCase } from './use-cases/release-task/release-task.use-case.js';
import { ReviewRecorder } from './use-cases/review-recorder.js';
import { TaskDetails } from './use-cases/task-details.js';

/**
 * Escalation: turns `step.escalation` envelopes into review tasks (closed when the run ends), lets reviewers decide them
 * over HTTP (API key, role reviewer or admin) and resumes the run; sweeps overdue tasks.
 */
@Module({
  controllers: [EscalationController, TasksController, EffectsController],
  providers: [
    { provide: APP_GUARD, useClass: ApiKeyGuard },
    CreateTaskUseCase,
    CloseRunTasksUseCase,
    ListTasksUseCase,
    GetTaskUseCase,
    ApproveTaskUseCase,
    RejectTaskUseCase,
    EscalateOverdueTasksUseCase,
    DeliverNotificationsUseCase,
    ClaimTaskUseCase,
    ReleaseTaskUseCase,
    RecordEffectUseCase,
    ListEffectsUseCase,
    ReviewRecorder,
    TaskDetails,
    TaskStore,
    ChainStore,
    ClaimStore,
    NotificationStore,
    EffectLedger,
    EndedRuns,
    SlaSweeper,
  ],
})
export class EscalationModule {}
