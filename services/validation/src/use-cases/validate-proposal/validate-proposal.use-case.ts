import { Inject, Injectable } from '@nestjs/common';
import {
  clipReason,
  nextStep,
  stepFinished,
  type DecisionRecord,
  type RunState,
  type StepEnvelope,
  type StepRecord,
} from '@baton/contracts';
import { Routes, type HandlerContext } from '@baton/messaging';
import { EndedRuns, stepMayAct, WORKFLOWS, workflowFor } from '@baton/service-kit';
import { checkProposal, describeProblems, type WorkflowCatalog } from '@baton/workflow';
import { failedValidations } from '../../domain/failed-proposals.js';

/**
 * A proposal before it runs (docs/run-protocol.md, row 4), through the workflow's gate
 * (`checkProposal`, docs/workflows.md#guardrails): granted tool, pinned arguments, required
 * arguments, `maxAmount`, checks; then whether the same call already failed in this run; then
 * approvals. Passed → the action step, with the pinned arguments bound; needs approval →
 * escalation; refused → back to the decision with the reasons, until `maxFailures` refused
 * proposals, then escalation. A reviewer's decision is the approval itself (approvals are not
 * asked again) but passes every other guard; refused, it goes back to a person, not the model.
 */
@Injectable()
export class ValidateProposalUseCase {
  constructor(
    @Inject(WORKFLOWS) private readonly workflows: WorkflowCatalog,
    private readonly routes: Routes,
    private readonly endedRuns: EndedRuns,
  ) {}

  async execute(envelope: StepEnvelope<'validation'>, ctx: HandlerContext): Promise<void> {
    const startedAt = new Date();
    const workflow = workflowFor(this.workflows, envelope);
    const { state, decision: proposal } = envelope.payload;
    const tool = proposal.tool ?? null;
    const finish = (outcome: string, output: Record<string, unknown>) =>
      ctx.emit(
        this.routes.get('run.events'),
        stepFinished(envelope, {
          outcome,
          startedAt,
          input: { tool, args: proposal.args ?? {}, decidedBy: proposal.decidedBy },
          output,
        }),
      );
    const escalate = (decision: DecisionRecord, withState: RunState, reason: string) =>
      ctx.emit(
        this.routes.step('escalation'),
        nextStep(
          envelope,
          { name: 'escalate', kind: 'escalation' },
          { kind: 'escalation', state: withState, decision, reason: clipReason(reason) },
        ),
      );

    if (!(await stepMayAct(envelope, ctx, this.routes, this.endedRuns, startedAt))) return;

    const reviewed = proposal.decidedBy === 'reviewer';
    const verdict = checkProposal(workflow, proposal, state, { approved: reviewed });
    const { decision } = verdict;
    if (verdict.problems.length) {
      const message = describeProblems(verdict.problems);
      const problems = verdict.problems.map(({ guard, subject, message: text }) => ({
        guard,
        ...(subject ? { subject } : {}),
        message: text,
      }));
      const record: StepRecord = {
        name: 'validate',
        kind: 'validation',
        seq: envelope.step.seq,
        outcome: 'failed',
        output: { message, problems, tool, args: proposal.args ?? {} },
      };
      const failedBefore = failedValidations(state);
      const failures = failedBefore + 1;
      const withRecord = { ...state, history: [...state.history, record] };
      // A reviewer's decision that does not pass goes back to a person, never to the model;
      // maxFailures refused proposals of rules or the model go back to the decision.
      if (reviewed || failedBefore >= workflow.validation.maxFailures) {
        finish('failed', { message, problems, failures, escalated: true });
        escalate(
          proposal,
          withRecord,
          reviewed
            ? `validation-failed: the reviewer's decision does not pass: ${message}`
            : `validation-failed: ${message} (${failures} failed proposals; the workflow sends back at most ${workflow.validation.maxFailures})`,
        );
        return;
      }
      finish('failed', { message, problems, failures, escalated: false });
      ctx.emit(
        this.routes.step('decision'),
        nextStep(
          envelope,
          { name: 'decide', kind: 'decision' },
          { kind: 'decision', state: withRecord, reason: `validation-failed: ${message}` },
        ),
      );
      return;
    }
    if (verdict.repeats) {
      const { error, seq } = verdict.repeats;
      const reason = `${tool} failed at step ${seq} (${error}) and ${proposal.decidedBy === 'model' ? 'the model' : proposal.decidedBy} proposed the same call again: a person takes over`;
      finish('repeated-failure', { reason, failedAt: seq });
      escalate(decision, state, reason);
      return;
    }
    if (verdict.approval) {
      finish('needs-approval', { reason: verdict.approval.reason });
      escalate(decision, state, verdict.approval.reason);
      return;
    }
    finish('passed', { tool, ...(reviewed ? { approvedBy: 'reviewer' } : {}) });
    ctx.emit(
      this.routes.step('action'),
      nextStep(
        envelope,
        { name: `execute-${tool}`, kind: 'action' },
        { kind: 'action', state, decision },
      ),
    );
  }
}
