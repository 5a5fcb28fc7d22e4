import { Injectable } from '@nestjs/common';
import {
  clipReason,
  nextStep,
  stepFinished,
  type StepEnvelope,
  type StepRecord,
  type ToolResult,
} from '@baton/contracts';
import { Routes, type HandlerContext } from '@baton/messaging';
import { EndedRuns, stepMayAct } from '@baton/service-kit';

/**
 * An executed (or simulated) action (docs/run-protocol.md, row 4): its result joins the run's
 * history as `{ name: <tool>, kind: 'action', outcome: <status>, output: { args, result } }`
 * and the decision step is asked what comes next, with `reason: 'action-<status>'`.
 */
@Injectable()
export class RecordResultUseCase {
  constructor(
    private readonly routes: Routes,
    private readonly endedRuns: EndedRuns,
  ) {}

  async execute(
    envelope: StepEnvelope<'validation'>,
    result: ToolResult,
    ctx: HandlerContext,
  ): Promise<void> {
    const startedAt = new Date();
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
    ctx.emit(
      this.routes.get('run.events'),
      stepFinished(envelope, {
        outcome: 'recorded',
        startedAt,
        input: { tool, status: result.status },
        output: { record },
      }),
    );
    const withRecord = { ...state, history: [...state.history, record] };
    if (result.status === 'refused') {
      ctx.emit(
        this.routes.step('escalation'),
        nextStep(
          envelope,
          { name: 'escalate', kind: 'escalation' },
          {
            kind: 'escalation',
            state: withRecord,
            decision,
            reason: clipReason(`refused: ${result.error ?? `${tool} was refused`}`),
          },
        ),
      );
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
