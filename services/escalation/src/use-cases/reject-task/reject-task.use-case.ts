import { Inject, Injectable } from '@nestjs/common';
import type { MessagingRuntime } from '@baton/messaging';
import { ANSWER_AT_COMMIT } from '@baton/messaging';
import { CLOCK, MESSAGING_RUNTIME, type Clock, type Principal } from '@baton/service-kit';
import { rejectedDecision } from '../../domain/review.js';
import type { ReviewRecord, TaskDetail } from '../../domain/task.js';
import { assertOpen, claimOverriddenBy, isAdmin } from '../../domain/task-guards.js';
import { TaskStore } from '../../store/task-store.js';
import { ReviewRecorder } from '../review-recorder.js';
import { TaskDetails } from '../task-details.js';

export interface Rejection {
  reason: string;
  note?: string;
}

/**
 * A reviewer rejects a task; the run resumes with `review-rejected` and ends `rejected`. A
 * task another reviewer has claimed answers 409 `task-claimed`, unless the rejecter is an
 * admin (recorded as `claimOverridden`).
 */
@Injectable()
export class RejectTaskUseCase {
  constructor(
    @Inject(MESSAGING_RUNTIME) private readonly runtime: MessagingRuntime,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly tasks: TaskStore,
    private readonly reviews: ReviewRecorder,
    private readonly details: TaskDetails,
  ) {}

  async execute(id: string, rejection: Rejection, principal: Principal): Promise<TaskDetail> {
    return this.runtime.transaction(
      async (tx) => {
        const task = await this.tasks.load(tx.manager, id);
        assertOpen(task);
        const now = this.clock.now();
        const claimOverridden = claimOverriddenBy(task, principal, now);
        const decision = rejectedDecision(task.proposal);
        const review: ReviewRecord = {
          reviewer: { name: principal.name, role: principal.role },
          reason: rejection.reason,
          ...(rejection.note ? { note: rejection.note } : {}),
          ...(decision ? { decision } : {}),
          ...(claimOverridden ? { claimOverridden } : {}),
        };
        const decided = await this.reviews.record(
          tx,
          task,
          'rejected',
          review,
          now,
          isAdmin(principal),
        );
        return this.details.of(tx.manager, decided, now);
      },
      'baton.task.reject',
      ANSWER_AT_COMMIT,
    );
  }
}
