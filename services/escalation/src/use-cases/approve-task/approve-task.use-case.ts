import { Inject, Injectable } from '@nestjs/common';
import { EffectLedger } from '@baton/effects';
import type { MessagingRuntime } from '@baton/messaging';
import { ANSWER_AT_COMMIT, Routes } from '@baton/messaging';
import { MESSAGING_RUNTIME, WORKFLOWS, type Principal } from '@baton/service-kit';
import type { WorkflowCatalog } from '@baton/workflow';
import { CLOCK, type Clock } from '@baton/service-kit';
import { gateApproval } from '../../tasks/approval-gate.js';
import { recordReview } from '../../tasks/record-review.js';
import { approvedDecision, type Approval } from '../../tasks/review.js';
import type { ReviewRecord, TaskDetail } from '../../tasks/task.js';
import { detailOf } from '../../tasks/task-detail.js';
import { assertOpen, claimOverriddenBy, isAdmin } from '../../tasks/task-guards.js';
import { loadTask } from '../../tasks/task-store.js';

/**
 * A reviewer approves a task: the proposal as it is (`approved`) or with edited args
 * (`edited`, a correction), or, for a task without a proposed action, the action they name.
 * The approved action passes the workflow's gate and effect limits first (`gateApproval`): a
 * refused one answers 422 and leaves the task open, nothing recorded. The run resumes with a
 * `decision` envelope (`review-approved`) in the same transaction. A task another reviewer
 * has claimed answers 409 `task-claimed`, unless the approver is an admin (recorded as
 * `claimOverridden`).
 */
@Injectable()
export class ApproveTaskUseCase {
  constructor(
    @Inject(MESSAGING_RUNTIME) private readonly runtime: MessagingRuntime,
    @Inject(WORKFLOWS) private readonly workflows: WorkflowCatalog,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly routes: Routes,
    private readonly ledger: EffectLedger,
  ) {}

  async execute(id: string, approval: Approval, principal: Principal): Promise<TaskDetail> {
    return this.runtime.transaction(
      async (tx) => {
        const task = await loadTask(tx.manager, id);
        assertOpen(task);
        const now = this.clock.now();
        const claimOverridden = claimOverriddenBy(task, principal, now);
        const reviewer = { name: principal.name, role: principal.role };
        const { outcome, decision: approved } = approvedDecision(task.proposal, approval, reviewer);
        const decision = await gateApproval(
          this.workflows.get(task.workflow_id, task.workflow_version),
          task,
          approved,
          this.ledger,
          tx.manager,
          now,
        );
        const review: ReviewRecord = {
          reviewer,
          ...(approval.args ? { args: approval.args } : {}),
          ...(approval.note ? { note: approval.note } : {}),
          decision,
          ...(claimOverridden ? { claimOverridden } : {}),
        };
        const decided = await recordReview(
          tx,
          this.routes,
          task,
          outcome,
          review,
          now,
          isAdmin(principal),
        );
        return detailOf(tx.manager, decided, now);
      },
      'baton.task.approve',
      ANSWER_AT_COMMIT,
    );
  }
}
