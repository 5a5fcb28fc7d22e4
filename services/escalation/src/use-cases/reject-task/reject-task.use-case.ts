import { Inject, Injectable } from '@nestjs/common';
import type { MessagingRuntime } from '@baton/messaging';
import { ANSWER_AT_COMMIT, Routes } from '@baton/messaging';
import { MESSAGING_RUNTIME, type Principal } from '@baton/service-kit';
import { CLOCK, type Clock } from '@baton/service-kit';
import { recordReview } from '../../tasks/record-review.js';
import { rejectedDecision } from '../../tasks/review.js';
import type { ReviewRecord, TaskDetail } from '../../tasks/task.js';
import { detailOf } from '../../tasks/task-detail.js';
import { assertOpen, claimOverriddenBy, isAdmin } from '../../tasks/task-guards.js';
import { loadTask } from '../../tasks/task-store.js';

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
    private readonly routes: Routes,
  ) {}

  async execute(id: string, rejection: Rejection, principal: Principal): Promise<TaskDetail> {
    return this.runtime.transaction(
      async (tx) => {
        const task = await loadTask(tx.manager, id);
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
        const decided = await recordReview(
          tx,
          this.routes,
          task,
          'rejected',
          review,
          now,
          isAdmin(principal),
        );
        return detailOf(tx.manager, decided, now);
      },
      'baton.task.reject',
      ANSWER_AT_COMMIT,
    );
  }
}
