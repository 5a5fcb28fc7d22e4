import { Inject, Injectable } from '@nestjs/common';
import {
  clipReason,
  nextStep,
  overspent,
  runEventFor,
  stepFinished,
  stopReason,
  type StepEnvelope,
  type TerminalStatus,
} from '@baton/contracts';
import { Routes, type HandlerContext } from '@baton/messaging';
import { endedBecause, EndedRuns, LOGGER, WORKFLOWS, workflowFor } from '@baton/service-kit';
import type { Logger } from '@baton/telemetry';
import { ruleScope, type WorkflowCatalog, type WorkflowDefinition } from '@baton/workflow';
import { guardDecision, noDecision, type Decided } from '../../domain/decision-guards.js';
import { decideByRules } from '../../domain/rule-evaluation.js';
import { readReviewVerdict } from '../../domain/reviewer-verdict.js';
import { decisionMessages } from '../../domain/decision-prompt.js';
import { decisionJsonSchema } from '../../domain/model-output.js';
import { askModel } from '../../clients/ask-model.js';
import { ModelGateway } from '../../clients/model-gateway.js';
import { ModelCallsRepository } from '../../store/model-calls.repository.js';

type DecisionEnvelope = StepEnvelope<'decision'>;

const NOTHING_SPENT = { tokens: 0, costUsd: 0 };

/**
 * The decision step (docs/run-protocol.md, row 3): an ended run is not decided; then stopping rules, reviewer verdicts, the
 * workflow's rules in order, then the model; then the outcome is sent on. An `act` naming a
 * tool the workflow does not grant is never sent on: the run escalates and the attempt is
 * recorded in the step's output.
 */
@Injectable()
export class DecideNextStepUseCase {
  constructor(
    @Inject(WORKFLOWS) private readonly workflows: WorkflowCatalog,
    private readonly routes: Routes,
    private readonly model: ModelGateway,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly endedRuns: EndedRuns,
    private readonly modelCalls: ModelCallsRepository,
  ) {}

  async execute(envelope: DecisionEnvelope, ctx: HandlerContext): Promise<void> {
    const startedAt = new Date();
    const workflow = workflowFor(this.workflows, envelope);
    const { payload } = envelope;
    const input = {
      reason: payload.reason ?? null,
      budget: envelope.budget,
      evidence: payload.state.evidence.map((item) => ({ source: item.source, weak: item.weak })),
      historyLength: payload.state.history.length,
    };
    const finish = (outcome: string, output: Record<string, unknown>) =>
      ctx.emit(
        this.routes.get('run.events'),
        stepFinished(envelope, { outcome, startedAt, input, output }),
      );

    // A run that has ended (cancelled, or ended by another step) is not decided any further.
    // A first look, unlocked: a run.ended arriving during a model call must still be recorded,
    // and is looked for again, locked, right before the decision is sent on.
    const ended = await this.endedRuns.find(ctx.manager, envelope.runId, { lock: false });
    if (ended) {
      finish('run-ended', { status: ended.status, reason: ended.reason });
      this.logger.info(
        { runId: envelope.runId, status: ended.status },
        'decision envelope of an ended run: not decided',
      );
      return;
    }
    const stop = stopReason(envelope, startedAt);
    if (stop) {
      finish('stopped', { reason: stop });
      this.end(envelope, ctx, 'failed', stop);
      return;
    }
    const verdict = readReviewVerdict(payload);
    if (verdict?.kind === 'rejected') {
      finish('rejected', { reviewer: verdict.reviewer, reason: verdict.reason });
      this.end(envelope, ctx, 'rejected', verdict.reason);
      return;
    }
    const decided: Decided = verdict
      ? { decision: verdict.decision, spent: NOTHING_SPENT, output: { reviewer: verdict.reviewer } }
      : await this.decide(envelope, workflow, ctx);
    // The run may have ended while the model was asked (a cancel): nothing is sent on.
    const endedMeanwhile = await this.endedRuns.find(ctx.manager, envelope.runId);
    if (endedMeanwhile) {
      finish('run-ended', {
        status: endedMeanwhile.status,
        reason: endedMeanwhile.reason,
        skipped: endedBecause(endedMeanwhile),
        refusedDecision: decided.decision,
        ...decided.output,
      });
      return;
    }
    // A model call that took the run over its budget: its decision is not acted on.
    const overrun = overspent(envelope, decided.spent);
    if (overrun) {
      finish('stopped', { reason: overrun, refusedDecision: decided.decision, ...decided.output });
      this.end(envelope, ctx, 'failed', overrun);
      return;
    }
    this.send(envelope, workflow, guardDecision(decided, workflow), ctx, finish);
  }

  /** The workflow's rules in order, then the model; escalates when neither decides. */
  private async decide(
    envelope: DecisionEnvelope,
    workflow: WorkflowDefinition,
    ctx: HandlerContext,
  ): Promise<Decided> {
    const { payload } = envelope;
    const failed = payload.state.evidence.filter((item) => item.failed);
    const required = new Set(
      workflow.context.sources.filter((source) => source.required).map((source) => source.name),
    );
    const failedRequired = failed.filter((item) => required.has(item.source));
    // A required source that could not answer: nothing is decided on its silence. Once (after
    // the context step); when a person has taken over, the run goes on with what it has.
    if (failedRequired.length && payload.reason === 'context-gathered') {
      const reason = failedRequired
        .map((item) => `source ${item.source} failed: ${item.note ?? 'it did not answer'}`)
        .join('; ');
      return noDecision('source-failed', `${reason}; a person decides`, 'rules');
    }
    const byRule = decideByRules(
      workflow.decision.rules,
      ruleScope(payload.state),
      new Set(failed.map((item) => item.source)),
    );
    if (byRule)
      return { decision: byRule.decision, spent: NOTHING_SPENT, output: { rule: byRule.rule } };

    const spec = workflow.decision.model;
    if (!spec) {
      return noDecision('no-decision', 'no rule decides and the workflow has no model', 'rules');
    }
    if (!this.model.configured) {
      return noDecision(
        'no-decision',
        "no rule decides and no model is configured (no OPENAI_API_KEY): decisions use the workflow's rules only",
        'rules',
      );
    }
    const answer = await askModel(
      this.model,
      spec,
      {
        messages: decisionMessages(workflow, spec, payload),
        schema: decisionJsonSchema(workflow, spec.labels),
        caller: { runId: envelope.runId, stepSeq: envelope.step.seq },
      },
      envelope.budget,
    );
    await this.modelCalls.record(
      ctx.manager,
      { runId: envelope.runId, envelopeId: envelope.envelopeId, stepSeq: envelope.step.seq },
      answer.calls,
    );
    const spent = { tokens: answer.tokens, costUsd: answer.costUsd };
    const usage = { calls: answer.calls, tokens: answer.tokens, costUsd: answer.costUsd };
    if (!answer.decision && answer.budget) {
      // Failing closed: a call that could cross the budget is not made; a person decides.
      return {
        ...noDecision('budget', answer.budget, 'model'),
        spent,
        output: { model: usage },
      };
    }
    if (!answer.decision) {
      const reason = `model unavailable: ${answer.problems.join(', ')}`;
      this.logger.warn({ runId: envelope.runId, calls: answer.calls }, reason);
      return {
        ...noDecision('model-unavailable', reason, 'model'),
        spent,
        output: { model: usage },
      };
    }
    return { decision: answer.decision, spent, output: { model: usage } };
  }

  /** Sends the decision on: validation, action (a reviewer's approval), escalation or the end. */
  private send(
    envelope: DecisionEnvelope,
    workflow: WorkflowDefinition,
    { decision, spent, output }: Decided,
    ctx: HandlerContext,
    finish: (outcome: string, output: Record<string, unknown>) => void,
  ): void {
    finish(decision.next, { decision, ...output });
    const { state } = envelope.payload;
    switch (decision.next) {
      case 'act':
        // Every proposal, a reviewer's approved decision included, passes validation's gate.
        ctx.emit(
          this.routes.step('validation'),
          nextStep(
            envelope,
            { name: 'validate-proposal', kind: 'validation' },
            { kind: 'validation', state, decision },
            spent,
          ),
        );
        return;
      case 'escalate':
        ctx.emit(
          this.routes.step('escalation'),
          nextStep(
            envelope,
            { name: 'escalate', kind: 'escalation' },
            {
              kind: 'escalation',
              state,
              decision,
              reason: clipReason(decision.rationale, 'escalated by the decision step'),
            },
            spent,
          ),
        );
        return;
      case 'complete':
      case 'fail':
        this.end(
          envelope,
          ctx,
          decision.next === 'complete' ? 'completed' : 'failed',
          decision.rationale,
        );
        this.logger.info(
          { runId: envelope.runId, workflow: workflow.id, next: decision.next },
          'run ended',
        );
        return;
    }
  }

  private end(
    envelope: DecisionEnvelope,
    ctx: HandlerContext,
    status: TerminalStatus,
    reason: string,
  ): void {
    ctx.emit(
      this.routes.get('run.events'),
      runEventFor(envelope, { type: 'run.ended', status, reason: clipReason(reason, status) }),
    );
  }
}
