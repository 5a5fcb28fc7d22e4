import { Inject, Injectable } from '@nestjs/common';
import { nextStep, stepFinished, type StepEnvelope, type StepRecord } from '@baton/contracts';
import { Routes, type HandlerContext } from '@baton/messaging';
import { WORKFLOWS } from '@baton/service-kit';
import type { WorkflowCatalog } from '@baton/workflow';
import { checkProposal, failedValidations } from '../../domain/check-proposal.js';
import { clipReason, workflowOf } from '../../domain/workflow-of.js';

/**
 * A proposal before it runs (docs/run-protocol.md, row 4): the tool is granted, its required
 * arguments are present, `maxAmount` and the workflow's checks hold; then its approvals.
 * Passed → the action step; needs approval → escalation; a failed check → back to the
 * decision with the reason, until `maxFailures` failed proposals, then escalation.
 */
@Injectable()
export class ValidateProposalUseCase {
  constructor(
    @Inject(WORKFLOWS) private readonly workflows: WorkflowCatalog,
    private readonly routes: Routes,
  ) {}

  async execute(envelope: StepEnvelope<'validation'>, ctx: HandlerContext): Promise<void> {
    const startedAt = new Date();
    const workflow = workflowOf(this.workflows, envelope);
    const { state, decision } = envelope.payload;
    const tool = decision.tool ?? null;
    const args = decision.args ?? {};
    const finish = (outcome: string, output: Record<string, unknown>) =>
      ctx.emit(
        this.routes.get('run.events'),
        stepFinished(envelope, {
          outcome,
          startedAt,
          input: { tool, args, decidedBy: decision.decidedBy },
          output,
        }),
      );

    const verdict = checkProposal(workflow, decision, state);
    switch (verdict.outcome) {
      case 'failed': {
        const { message } = verdict;
        const record: StepRecord = {
          name: 'validate',
          kind: 'validation',
          seq: envelope.step.seq,
          outcome: 'failed',
          output: { message, tool, args },
        };
        const failedBefore = failedValidations(state);
        const failures = failedBefore + 1;
        const withRecord = { ...state, history: [...state.history, record] };
        // maxFailures failed proposals go back to the decision; the next one escalates.
        if (failedBefore >= workflow.validation.maxFailures) {
          const reason = clipReason(
            `validation-failed: ${message} (${failures} failed proposals; the workflow sends back at most ${workflow.validation.maxFailures})`,
          );
          finish('failed', { message, failures, escalated: true });
          ctx.emit(
            this.routes.step('escalation'),
            nextStep(
              envelope,
              { name: 'escalate', kind: 'escalation' },
              { kind: 'escalation', state: withRecord, decision, reason },
            ),
          );
          return;
        }
        finish('failed', { message, failures, escalated: false });
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
      case 'needs-approval':
        finish('needs-approval', { reason: verdict.reason });
        ctx.emit(
          this.routes.step('escalation'),
          nextStep(
            envelope,
            { name: 'escalate', kind: 'escalation' },
            { kind: 'escalation', state, decision, reason: clipReason(verdict.reason) },
          ),
        );
        return;
      case 'passed':
        finish('passed', { tool });
        ctx.emit(
          this.routes.step('action'),
          nextStep(
            envelope,
            { name: `execute-${tool}`, kind: 'action' },
            { kind: 'action', state, decision },
          ),
        );
        return;
    }
  }
}
