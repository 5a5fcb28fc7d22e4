import { Inject, Injectable } from '@nestjs/common';
import {
  clipReason,
  nextStep,
  stepFinished,
  type StepEnvelope,
  type StepRecord,
  type ToolResult,
} from '@baton/contracts';
import { Routes, type HandlerContext } from '@baton/messaging';
import { EndedRuns, stepMayAct, WORKFLOWS, workflowFor } from '@baton/service-kit';
import {
  checkResult,
  describeResultFailures,
  type ResultCheckFailure,
  type WorkflowCatalog,
} from '@baton/workflow';

/**
 * An executed (or simulated) action (docs/run-protocol.md, row 4): its result joins the run's
 * history as `{ name: <tool>, kind: 'action', outcome: <status>, output: { args, result } }`.
 * A succeeded write is checked against its grant's `resultChecks`: a failing one is recorded as a
 * failed validation and escalates the run (`result-check-failed: <message>`): the write happened,
 * so a person looks. A refused call escalates too. Otherwise the decision step is asked what
 * comes next, with `reason: 'action-<status>'`. A simulated (shadow-mode) result is not checked
 * (it holds what would have been written, not a row): the step report says the checks were skipped.
 */
@Injectable()
export class RecordResultUseCase {
  constructor(
    @Inject(WORKFLOWS) private readonly workflows: WorkflowCatalog,
    private readonly routes: Routes,
    private readonly endedRuns: EndedRuns,
  ) {}

  async execute(
    envelope: StepEnvelope<'validation'>,
    result: ToolResult,
    ctx: HandlerContext,
  ): Promise<void> {
    const startedAt = new Date();
    const workflow = workflowFor(this.workflows, envelope);
    if (!(await stepMayAct(envelope, ctx, this.routes, this.endedRuns, startedAt))) return;
    const { state, decision } = envelope.payload;
    const { tool, seq } = executedBy(envelope);
    const args = decision.args ?? {};
    const record: StepRecord = {
      name: tool,
      kind: 'action',
      seq,
      outcome: result.status,
      output: { args, result },
    };
    const withRecord = { ...state, history: [...state.history, record] };
    const checks = workflow.tools.find((grant) => grant.name === tool)?.resultChecks ?? [];
    const failures =
      result.status === 'succeeded' && checks.length
        ? checkResult({ resultChecks: checks }, decision, state, result.output ?? {})
        : [];
    const resultChecks = !checks.length
      ? {}
      : result.status === 'simulated'
        ? { resultChecks: { skipped: 'simulated: nothing was written to check' } }
        : result.status === 'succeeded'
          ? { resultChecks: { checked: checks.length, failed: failures.length } }
          : {};

    if (failures.length) {
      this.resultCheckFailed(envelope, tool, record, withRecord, failures, ctx, startedAt);
      return;
    }
    ctx.emit(
      this.routes.get('run.events'),
      stepFinished(envelope, {
        outcome: 'recorded',
        startedAt,
        input: { tool, status: result.status },
        output: { record, ...resultChecks },
      }),
    );
    if (result.status === 'refused') {
      this.escalate(envelope, withRecord, `refused: ${result.error ?? `${tool} was refused`}`, ctx);
      return;
    }
    ctx.emit(
      this.routes.step('decision'),
      nextStep(
        envelope,
        { name: 'decide', kind: 'decision' },
        { kind: 'decision', state: withRecord, reason: `action-${result.status}` },
      ),
    );
  }

  /**
   * The write happened and its result is not what was proposed: the action and a failed
   * validation join the history, the step is reported failed, and a person takes over.
   */
  private resultCheckFailed(
    envelope: StepEnvelope<'validation'>,
    tool: string,
    record: StepRecord,
    withRecord: StepEnvelope<'validation'>['payload']['state'],
    failures: ResultCheckFailure[],
    ctx: HandlerContext,
    startedAt: Date,
  ): void {
    const message = describeResultFailures(failures);
    const failed: StepRecord = {
      name: 'check-result',
      kind: 'validation',
      seq: envelope.step.seq,
      outcome: 'failed',
      output: { tool, message, failures: failures.map((failure) => ({ ...failure })) },
    };
    ctx.emit(
      this.routes.get('run.events'),
      stepFinished(envelope, {
        outcome: 'failed',
        startedAt,
        input: { tool, status: record.outcome },
        output: { record, failures: failed.output!['failures'], message },
      }),
    );
    this.escalate(
      envelope,
      { ...withRecord, history: [...withRecord.history, failed] },
      `result-check-failed: ${message}`,
      ctx,
    );
  }

  /** A person takes over the run, with `state` as it stands and why. */
  private escalate(
    envelope: StepEnvelope<'validation'>,
    state: StepEnvelope<'validation'>['payload']['state'],
    reason: string,
    ctx: HandlerContext,
  ): void {
    ctx.emit(
      this.routes.step('escalation'),
      nextStep(
        envelope,
        { name: 'escalate', kind: 'escalation' },
        {
          kind: 'escalation',
          state,
          decision: envelope.payload.decision,
          reason: clipReason(reason),
        },
      ),
    );
  }
}

/**
 * The action step the result came from, as the action service names it (`executed`). Envelopes
 * sent before that field existed (still in flight across an upgrade) lack it: for those only,
 * the decision's tool and the step before this one — remove once no such envelope can remain.
 */
function executedBy(envelope: StepEnvelope<'validation'>): { tool: string; seq: number } {
  const { executed, decision } = envelope.payload;
  if (executed) return executed;
  return { tool: decision.tool || 'none', seq: Math.max(0, envelope.step.seq - 1) };
}
