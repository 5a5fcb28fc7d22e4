import { Inject, Injectable } from '@nestjs/common';
import {
  nextStep,
  stepFinished,
  type EffectRecord,
  type StepEnvelope,
  type ToolResult,
} from '@baton/contracts';
import { EffectLedger } from '@baton/effects';
import { MessagingConfig, Routes, type HandlerContext } from '@baton/messaging';
import { EndedRuns, LOGGER, stepMayAct, WORKFLOWS, workflowFor } from '@baton/service-kit';
import type { Logger } from '@baton/telemetry';
import {
  checkProposal,
  describeProblems,
  effectClaims,
  type EffectClaim,
  type ToolGrantSpec,
  type WorkflowCatalog,
  type WorkflowDefinition,
} from '@baton/workflow';
import { idempotencyKeyFor, simulatedResult } from './tool-call-policy.js';
import { ToolCallsRepository } from '../../store/tool-calls.repository.js';
import { describeError, isTransient } from './tool-error.js';
import { ToolExecutor } from './tool-executor.js';

interface Call {
  envelope: StepEnvelope<'action'>;
  workflow: WorkflowDefinition;
  grant: ToolGrantSpec;
  args: Record<string, unknown>;
  key: string;
  ctx: HandlerContext;
}

/** A call the gate let through: the grant and the arguments to run it with (pins bound). */
type Cleared =
  | { ok: true; grant: ToolGrantSpec; args: Record<string, unknown>; claims: EffectClaim[] }
  | { ok: false; error: string };

/**
 * Step 5 of the run protocol: executes the granted tool the decision asked for — once per
 * idempotency key — or, in shadow mode, records the write it would have made. Right before it
 * runs, the call passes the workflow's gate again (the same `checkProposal` validation ran:
 * defence in depth against a proposal that reached this topic some other way) and, for a write,
 * its effect limits, atomically against the effect ledger. Whatever happens (refused, failed,
 * done), the validation step gets the result: a failure is a result the run reacts to, not an
 * error.
 */
@Injectable()
export class ExecuteToolUseCase {
  constructor(
    @Inject(WORKFLOWS) private readonly workflows: WorkflowCatalog,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly executor: ToolExecutor,
    private readonly toolCalls: ToolCallsRepository,
    private readonly ledger: EffectLedger,
    private readonly messaging: MessagingConfig,
    private readonly routes: Routes,
    private readonly endedRuns: EndedRuns,
  ) {}

  async execute(envelope: StepEnvelope<'action'>, ctx: HandlerContext): Promise<void> {
    const startedAt = new Date();
    const workflow = workflowFor(this.workflows, envelope);
    const { state, decision } = envelope.payload;
    const tool = decision.tool ?? '';
    const key = idempotencyKeyFor(envelope, tool);

    // An ended run, no step left to record the result in, or past the deadline: no tool runs.
    if (!(await stepMayAct(envelope, ctx, this.routes, this.endedRuns, startedAt))) return;

    let args = decision.args ?? {};
    let result: ToolResult;
    let reused = false;
    const previous = await this.toolCalls.find(ctx.manager, key);
    if (previous) {
      // A redelivered step: the call was made (and counted) under this key already.
      reused = true;
      args = previous.args;
      result = previous.result;
    } else {
      const cleared = await this.clear(envelope, workflow, key, ctx, startedAt);
      if (!cleared.ok) {
        this.logger.warn(
          { tool, runId: envelope.runId, error: cleared.error },
          'tool call refused',
        );
        result = { status: 'refused', error: cleared.error };
      } else {
        args = cleared.args;
        result = await this.call({ envelope, workflow, grant: cleared.grant, args, key, ctx });
        await this.toolCalls.record(ctx.manager, {
          idempotencyKey: key,
          runId: envelope.runId,
          tool,
          args,
          result,
        });
        if (
          cleared.claims.length &&
          (result.status === 'succeeded' || result.status === 'simulated')
        )
          await this.recordEffect(envelope, tool, key, cleared.claims, result, ctx, startedAt);
      }
    }
    const name = (tool || 'none').slice(0, 100);
    ctx.emit(
      this.routes.step('validation'),
      nextStep(
        envelope,
        { name: `check-${name}`.slice(0, 100), kind: 'validation' },
        {
          kind: 'validation',
          state,
          decision: { ...decision, args },
          result,
          // What ran, named outright: validation records it under this tool and step.
          executed: { tool: name, seq: envelope.step.seq },
        },
      ),
    );
    ctx.emit(
      this.routes.get('run.events'),
      stepFinished(envelope, {
        outcome: result.status,
        startedAt,
        input: { tool, label: decision.label, decidedBy: decision.decidedBy },
        output: {
          tool,
          args,
          idempotencyKey: key,
          result,
          ...(result.status === 'refused' ? { refused: true } : {}),
          ...(reused ? { reused: true } : {}),
        },
      }),
    );
  }

  /**
   * The gate once more, then the effect limits: the call's keys are locked in this transaction
   * and counted, so of two runs racing on one key only one gets through; the lock holds until
   * the call is recorded and this transaction commits.
   */
  private async clear(
    envelope: StepEnvelope<'action'>,
    workflow: WorkflowDefinition,
    callKey: string,
    ctx: HandlerContext,
    now: Date,
  ): Promise<Cleared> {
    const { state, decision } = envelope.payload;
    // Approvals were settled upstream (a reviewer's decision is one); every other guard applies.
    const verdict = checkProposal(workflow, decision, state, { approved: true });
    if (verdict.problems.length) return { ok: false, error: describeProblems(verdict.problems) };
    if (verdict.repeats) {
      const { tool, seq, error } = verdict.repeats;
      return {
        ok: false,
        error: `${tool} already failed with exactly these arguments at step ${seq} (${error})`,
      };
    }
    const grant = workflow.tools.find((candidate) => candidate.name === decision.tool)!;
    const args = verdict.decision.args ?? {};
    if (grant.access !== 'write') return { ok: true, grant, args, claims: [] };
    const claims = effectClaims(grant, verdict.decision, state);
    if (!claims.ok) return { ok: false, error: claims.problems.join('; ') };
    if (!claims.claims.length) return { ok: true, grant, args, claims: [] };
    // A backtest's simulated writes are not the workflow's: they neither count toward nor
    // are checked against the effect ledger, and nothing goes on the effects topic.
    if (envelope.backtestId) return { ok: true, grant, args, claims: [] };
    const broken = await this.ledger.claim(
      ctx.manager,
      {
        tenantId: envelope.tenantId,
        workflowId: workflow.id,
        tool: grant.name,
        shadow: workflow.mode === 'shadow',
        callKey,
      },
      claims.claims,
      now,
    );
    if (broken.length) return { ok: false, error: broken.join('; ') };
    return { ok: true, grant, args, claims: claims.claims };
  }

  /** The write in the effect ledger and, in the same transaction, on the effects topic. */
  private async recordEffect(
    envelope: StepEnvelope<'action'>,
    tool: string,
    callKey: string,
    claims: EffectClaim[],
    result: ToolResult,
    ctx: HandlerContext,
    at: Date,
  ): Promise<void> {
    const effect: EffectRecord = {
      schemaVersion: 1,
      callKey,
      runId: envelope.runId,
      tenantId: envelope.tenantId,
      workflow: { id: envelope.workflow.id, version: envelope.workflow.version },
      tool,
      simulated: result.status === 'simulated',
      at: at.toISOString(),
      claims: claims.map(({ limit, key, amount }) => ({
        limit,
        key,
        ...(amount !== undefined ? { amount } : {}),
      })),
    };
    await this.ledger.record(ctx.manager, effect);
    ctx.emit(this.routes.get('effects'), effect);
  }

  private async call({ envelope, workflow, grant, args, key, ctx }: Call): Promise<ToolResult> {
    // Shadow mode: reads run (they change nothing), writes are only recorded.
    // A backtest run is shadow whatever the version's own mode says.
    const shadow = workflow.mode === 'shadow' || envelope.backtestId !== undefined;
    if (shadow && grant.access === 'write') {
      return simulatedResult(grant.name, args, key);
    }
    const scope = {
      args,
      key,
      run: { id: envelope.runId, tenantId: envelope.tenantId },
      trigger: envelope.payload.state.trigger,
    };
    try {
      const output = await this.executor.execute(grant, scope);
      return { status: 'succeeded', output, idempotencyKey: key };
    } catch (error) {
      // A lost connection may work next time: retry (the same key keeps the write single).
      // On the last attempt it becomes a failed result, so the run goes on rather than stall.
      const last = ctx.attempt >= this.messaging.retryMaxAttempts;
      if (isTransient(error) && !last) throw error;
      const reason = describeError(error);
      this.logger.warn({ tool: grant.name, runId: envelope.runId, error: reason }, 'tool failed');
      return {
        status: 'failed',
        error: isTransient(error) ? `${reason} (after ${ctx.attempt} attempts)` : reason,
        idempotencyKey: key,
      };
    }
  }
}
