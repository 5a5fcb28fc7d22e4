import { Inject, Injectable } from '@nestjs/common';
import type { MessagingRuntime } from '@baton/messaging';
import { Routes } from '@baton/messaging';
import { MESSAGING_RUNTIME, type Principal } from '@baton/service-kit';
import { CLOCK, type Clock } from '../../clock.js';
import { assertOpen, recordReview } from '../../tasks/record-review.js';
import { rejectedDecision } from '../../tasks/review.js';
import { toDetail, type ReviewRecord, type TaskDetail } from '../../tasks/task.js';
import { loadTask } from '../../tasks/task-store.js';

export interface Rejection {
  reason: string;
  note?: string;
}

/** A reviewer rejects a task; the run resumes with `review-rejected` and ends `rejected`. */
@Injectable()
export class RejectTaskUseCase {
  constructor(
    @Inject(MESSAGING_RUNTIME) private readonly runtime: MessagingRuntime,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly routes: Routes,
  ) {}

  async execute(id: string, rejection: Rejection, principal: Principal): Promise<TaskDetail> {
    return this.runtime.transaction(async (tx) => {
      const task = await loadTask(tx.manager, id);
      assertOpen(task);
      const decision = rejectedDecision(task.proposal);
      const review: ReviewRecord = {
        reviewer: { name: principal.name, role: principal.role },
        reason: rejection.reason,
        ...(rejection.note ? { note: rejection.note } : {}),
        ...(decision ? { decision } : {}),
      };
      const now = this.clock.now();
      return toDetail(await recordReview(tx, this.routes, task, 'rejected', review, now), now);
    });
  }
}
