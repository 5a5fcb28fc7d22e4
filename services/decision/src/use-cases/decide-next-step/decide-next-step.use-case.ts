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
import { Routes, type HandlerContext, type PrepareContext } from '@baton/messaging';
import {
  DATA_SOURCE,
  endedBecause,
  EndedRuns,
  LOGGER,
  WORKFLOWS,
  workflowFor,
} from '@baton/service-kit';
import { McpServers } from '@baton/mcp';
import type { Logger } from '@baton/telemetry';
import {
  ruleScope,
  type ModelSpec,
  type WorkflowCatalog,
  type WorkflowDefinition,
} from '@baton/workflow';
import type { DataSource } from 'typeorm';
import { guardDecision, noDecision, type Decided } from '../../domain/decision-guards.js';
import { decideByRules } from '../../domain/rule-evaluation.js';
import { readReviewVerdict } from '../../domain/reviewer-verdict.js';
import { decisionMessages } from '../../domain/decision-prompt.js';
import { decisionJsonSchema } from '../../domain/model-output.js';
import { askModel, type ModelAnswer } from '../../clients/ask-model.js';
import { ModelAdmission } from '../../clients/model-admission.js';
import { ModelGateway } from '../../clients/model-gateway.js';
import { mcpListings } from '../../clients/mcp-tool-listings.js';
import { ModelAnswersRepository } from '../../store/model-answers.repository.js';
import { recordModelCalls } from './model-call-metrics.js';

type DecisionEnvelope = StepEnvelope<'decision'>;

const NOTHING_SPENT = { tokens: 0, costUsd: 0 };

/**
 * What the prepare phase hands the step's transaction: when the step started (its stop rules
 * are judged at that time in both phases) and, when the step must ask the model, the model's
 * answer, recorded already. Undefined only where no prepare phase ran.
 */
export interface PreparedDecision {
  startedAt: Date;
  answer?: ModelAnswer;
}

/**
 * What the step does before any model: stop, end on a reviewer's rejection, act on what it
 * decided (a reviewer's approval, a rule, an escalation), or ask the model. Pure: the same
 * envelope, workflow and time give the same evaluation in the prepare phase and the transaction.
 */
type Evaluation =
  | { kind: 'stopped'; reason: string }
  | { kind: 'rejected'; reviewer: string; reason: string }
  | { kind: 'decided'; decided: Decided }
  | { kind: 'ask'; spec: ModelSpec };

/**
 * The decision step (docs/run-protocol.md, row 3): an ended run is not decided; then stopping
 * rules, reviewer verdicts, the workflow's rules in order, then the model; then the outcome is
 * sent on. An `act` naming a tool the workflow does not grant is never sent on: the run
 * escalates and the attempt is recorded in the step's output.
 *
 * In two phases, so that a model call holds no database connection (docs/architecture.md,
 * "The decision step and its model"): `prepare`, outside any transaction, asks the model when
 * the step must (after an unlocked look for the run's end) and records the answer and its calls
 * in a short transaction of their own; a retry or redelivery finds the answer and does not ask
 * again. `execute`, in the step's transaction with its inbox claim, applies it: the locked look
 * for the run's end, the budget, and what is sent on. Decisions no model is asked for open no
 * transaction in `prepare` and make no query there.
 */
@Injectable()
export class DecideNextStepUseCase {
  constructor(
    @Inject(WORKFLOWS) private readonly workflows: WorkflowCatalog,
    private readonly routes: Routes,
    private readonly model: ModelGateway,
    private readonly admission: ModelAdmission,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly endedRuns: EndedRuns,
    private readonly answers: ModelAnswersRepository,
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly mcp: McpServers,
  ) {}

  /**
   * The prepare phase, before the step's transaction, holding no connection while the model
   * thinks: asks the model when nothing else decides, unless the step was handled already, an
   * earlier attempt recorded the answer, or the run has ended.
   */
  async prepare(envelope: DecisionEnvelope, ctx: PrepareContext): Promise<PreparedDecision> {
    const startedAt = new Date();
    const workflow = workflowFor(this.workflows, envelope);
    const evaluation = this.evaluate(envelope, workflow, startedAt);
    if (evaluation.kind !== 'ask') return { startedAt };
    // One statement looks at three things before the model is asked. A duplicate is not
    // handled at all: it must not ask either. An answer an earlier attempt recorded is used.
    // An ended run does not ask: a first look, unlocked and in no transaction (the step's
    // transaction looks again and reports it; a run.ended arriving during the call is looked
    // for again, locked, before the answer is acted on).
    const { sql, params } = this.answers.beforeAsking(envelope.envelopeId, envelope.runId);
    const { handled, row } = await ctx.alreadyHandledAnd<{
      answer: ModelAnswer | null;
      ended: boolean;
    }>(sql, params);
    if (handled) return { startedAt };
    if (row?.answer) return { startedAt, answer: row.answer };
    if (row?.ended) return { startedAt };
    const { spec } = evaluation;
    // The granted MCP tools as their servers list them: the model reads their input schemas.
    const mcpTools = await mcpListings(this.mcp, workflow, this.logger);
    const answer = await askModel(
      this.model,
      spec,
      {
        messages: decisionMessages(workflow, spec, envelope.payload, undefined, mcpTools),
        schema: decisionJsonSchema(workflow, spec.labels, mcpTools),
        caller: { runId: envelope.runId, stepSeq: envelope.step.seq },
      },
      envelope.budget,
      { admission: this.admission, signal: ctx.shutdown },
    );
    const site = {
      runId: envelope.runId,
      envelopeId: envelope.envelopeId,
      stepSeq: envelope.step.seq,
    };
    return { startedAt, answer: await this.answers.record(this.dataSource, site, answer) };
  }

  /** The step's transaction: applies what was prepared (or decides without a model) and sends on. */
  async execute(
    envelope: DecisionEnvelope,
    ctx: HandlerContext<PreparedDecision | undefined>,
  ): Promise<void> {
    const prepared = ctx.prepared;
    const startedAt = prepared?.startedAt ?? new Date();
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
    // A first look, unlocked (the prepare phase made it before asking the model, when it did):
    // a run.ended arriving during a model call must still be recorded, and is looked for
    // again, locked, right before the decision is sent on.
    if (!prepared?.answer) {
      const ended = await this.endedRuns.find(ctx.manager, envelope.runId, { lock: false });
      if (ended) {
        finish('run-ended', { status: ended.status, reason: ended.reason });
        this.logger.info(
          { runId: envelope.runId, status: ended.status },
          'decision envelope of an ended run: not decided',
        );
        return;
      }
    }
    const evaluation = this.evaluate(envelope, workflow, startedAt);
    let decided: Decided;
    switch (evaluation.kind) {
      case 'stopped':
        finish('stopped', { reason: evaluation.reason });
        this.end(envelope, ctx, 'failed', evaluation.reason);
        return;
      case 'rejected':
        finish('rejected', { reviewer: evaluation.reviewer, reason: evaluation.reason });
        this.end(envelope, ctx, 'rejected', evaluation.reason);
        return;
      case 'decided':
        decided = evaluation.decided;
        break;
      case 'ask':
        // The prepare phase asked (same envelope, workflow and time: same evaluation).
        if (!prepared?.answer) throw new Error('the model was not asked before the transaction');
        decided = this.answered(envelope, prepared.answer);
        await this.answers.applied(ctx.manager, envelope.envelopeId);
        break;
    }
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

  /**
   * Stopping rules, a reviewer's verdict, a required source that failed, the workflow's rules
   * in order; then the model when the workflow has one and a model is configured, else an
   * escalation.
   */
  private evaluate(
    envelope: DecisionEnvelope,
    workflow: WorkflowDefinition,
    startedAt: Date,
  ): Evaluation {
    const stop = stopReason(envelope, startedAt);
    if (stop) return { kind: 'stopped', reason: stop };
    const { payload } = envelope;
    const verdict = readReviewVerdict(payload);
    if (verdict?.kind === 'rejected')
      return { kind: 'rejected', reviewer: verdict.reviewer, reason: verdict.reason };
    if (verdict) {
      return {
        kind: 'decided',
        decided: {
          decision: verdict.decision,
          spent: NOTHING_SPENT,
          output: { reviewer: verdict.reviewer },
        },
      };
    }
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
      return {
        kind: 'decided',
        decided: noDecision('source-failed', `${reason}; a person decides`, 'rules'),
      };
    }
    const byRule = decideByRules(
      workflow.decision.rules,
      ruleScope(payload.state),
      new Set(failed.map((item) => item.source)),
    );
    if (byRule) {
      return {
        kind: 'decided',
        decided: { decision: byRule.decision, spent: NOTHING_SPENT, output: { rule: byRule.rule } },
      };
    }
    const spec = workflow.decision.model;
    if (!spec) {
      return {
        kind: 'decided',
        decided: noDecision(
          'no-decision',
          'no rule decides and the workflow has no model',
          'rules',
        ),
      };
    }
    if (!this.model.configured) {
      return {
        kind: 'decided',
        decided: noDecision(
          'no-decision',
          "no rule decides and no model is configured (no OPENAI_API_KEY): decisions use the workflow's rules only",
          'rules',
        ),
      };
    }
    return { kind: 'ask', spec };
  }

  /** What the model's answer decides: its decision, or an escalation saying why there is none. */
  private answered(envelope: DecisionEnvelope, answer: ModelAnswer): Decided {
    recordModelCalls(answer.calls);
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
