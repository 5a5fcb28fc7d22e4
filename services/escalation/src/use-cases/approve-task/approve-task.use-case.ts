import { Inject, Injectable } from '@nestjs/common';
import { EffectLedger } from '@baton/effects';
import type { MessagingRuntime } from '@baton/messaging';
import { ANSWER_AT_COMMIT } from '@baton/messaging';
import {
  CLOCK,
  MESSAGING_RUNTIME,
  WORKFLOWS,
  type Clock,
  type Principal,
} from '@baton/service-kit';
import type { WorkflowCatalog } from '@baton/workflow';
import { gateApproval, limitsRefusal } from '../../domain/approval-gate.js';
import { approvedDecision, type Approval } from '../../domain/review.js';
import type { ReviewRecord, TaskDetail } from '../../domain/task.js';
import { assertOpen, claimOverriddenBy, isAdmin } from '../../domain/task-guards.js';
import { TaskStore } from '../../store/task-store.js';
import { ReviewRecorder } from '../review-recorder.js';
import { TaskDetails } from '../task-details.js';

/**
 * A reviewer approves a task: the proposal as it is (`approved`) or with edited args
 * (`edited`, a correction), or, for a task without a proposed action, the action they name.
 * The approved action passes the workflow's gate (`gateApproval`) and, for a write, the effect
 * limits against this service's copy of the effect ledger first: a refused one answers 422
 * and leaves the task open, nothing recorded. The run resumes with a `decision` envelope
 * (`review-approved`) in the same transaction. A task another reviewer has claimed answers
 * 409 `task-claimed`, unless the approver is an admin (recorded as `claimOverridden`).
 */
@Injectable()
export class ApproveTaskUseCase {
  constructor(
    @Inject(MESSAGING_RUNTIME) private readonly runtime: MessagingRuntime,
    @Inject(WORKFLOWS) private readonly workflows: WorkflowCatalog,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly tasks: TaskStore,
    private readonly ledger: EffectLedger,
    private readonly reviews: ReviewRecorder,
    private readonly details: TaskDetails,
  ) {}

  async execute(id: string, approval: Approval, principal: Principal): Promise<TaskDetail> {
    return this.runtime.transaction(
      async (tx) => {
        const task = await this.tasks.load(tx.manager, id);
        assertOpen(task);
        const now = this.clock.now();
        const claimOverridden = claimOverriddenBy(task, principal, now);
        const reviewer = { name: principal.name, role: principal.role };
        const { outcome, decision: approved } = approvedDecision(task.proposal, approval, reviewer);
        const gated = gateApproval(
          this.workflows.get(task.workflow_id, task.workflow_version),
          task,
          approved,
        );
        if (gated.limits) {
          const { scope, claims } = gated.limits;
          const refusal = limitsRefusal(await this.ledger.check(tx.manager, scope, claims, now));
          if (refusal) throw refusal;
        }
        const review: ReviewRecord = {
          reviewer,
          ...(approval.args ? { args: approval.args } : {}),
          ...(approval.note ? { note: approval.note } : {}),
          decision: gated.decision,
          ...(claimOverridden ? { claimOverridden } : {}),
        };
        const decided = await this.reviews.record(
          tx,
          task,
          outcome,
          review,
          now,
          isAdmin(principal),
        );
        return this.details.of(tx.manager, decided, now);
      },
      'baton.task.approve',
      ANSWER_AT_COMMIT,
    );
  }
}
