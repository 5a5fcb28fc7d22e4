import { Inject, Injectable } from '@nestjs/common';
import { nextStep, stepFinished, type StepEnvelope, type ToolResult } from '@baton/contracts';
import { MessagingConfig, PermanentFailure, Routes, type HandlerContext } from '@baton/messaging';
import { LOGGER, WORKFLOWS } from '@baton/service-kit';
import type { Logger } from '@baton/telemetry';
import type { ToolGrantSpec, WorkflowCatalog, WorkflowDefinition } from '@baton/workflow';
import { checkToolCall, idempotencyKeyFor, simulatedResult } from './tool-call-policy.js';
import { ToolCallsRepository } from './tool-calls.repository.js';
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

/**
 * Step 5 of the run protocol: executes the granted tool the decision asked for — once per
 * idempotency key — or, in shadow mode, records the write it would have made. Whatever
 * happens (refused, failed, done), the validation step gets the result: a failure is a
 * result the run reacts to, not an error.
 */
@Injectable()
export class ExecuteToolUseCase {
  constructor(
    @Inject(WORKFLOWS) private readonly workflows: WorkflowCatalog,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly executor: ToolExecutor,
    private readonly toolCalls: ToolCallsRepository,
    private readonly messaging: MessagingConfig,
    private readonly routes: Routes,
  ) {}

  async execute(envelope: StepEnvelope<'action'>, ctx: HandlerContext): Promise<void> {
    const startedAt = new Date();
    const { id, version } = envelope.workflow;
    const workflow = this.workflows.get(id, version);
    // Retrying cannot make an unknown workflow known: dead-letter it at once (replayable).
    if (!workflow) throw new PermanentFailure(`unknown workflow ${id}@${version}`);

    const { state, decision } = envelope.payload;
    const tool = decision.tool ?? '';
    const args = decision.args ?? {};
    const key = idempotencyKeyFor(envelope, tool);
    const verdict = checkToolCall(workflow, decision);

    let result: ToolResult;
    let reused = false;
    if (!verdict.ok) {
      this.logger.warn({ tool, runId: envelope.runId, error: verdict.error }, 'tool call refused');
      result = { status: 'failed', error: verdict.error };
    } else {
      const previous = await this.toolCalls.find(ctx.manager, key);
      if (previous) {
        reused = true;
        result = previous.result;
      } else {
        result = await this.call({ envelope, workflow, grant: verdict.grant, args, key, ctx });
        await this.toolCalls.record(ctx.manager, {
          idempotencyKey: key,
          runId: envelope.runId,
          tool,
          args,
          result,
        });
      }
    }

    ctx.emit(
      this.routes.step('validation'),
      nextStep(
        envelope,
        { name: `check-${tool || 'none'}`.slice(0, 100), kind: 'validation' },
        { kind: 'validation', state, decision, result },
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
          ...(verdict.ok ? {} : { refused: true }),
          ...(reused ? { reused: true } : {}),
        },
      }),
    );
  }

  private async call({ envelope, workflow, grant, args, key, ctx }: Call): Promise<ToolResult> {
    // Shadow mode: reads run (they change nothing), writes are only recorded.
    if (workflow.mode === 'shadow' && grant.access === 'write') {
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
