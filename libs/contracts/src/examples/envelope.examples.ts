// Example envelopes, valid by construction: for tests across the repo and for the docs.
import { firstStep, nextStep, type StepEnvelope } from '../envelope/step-envelope.js';
import { uuidv7 } from '../ids/uuid-v7.js';

/** A valid context-step envelope for a new run, with overridable parts. */
export function aContextEnvelope(
  overrides: { runId?: string; tenantId?: string; data?: Record<string, unknown> } = {},
): StepEnvelope<'context'> {
  return firstStep(
    {
      runId: overrides.runId ?? uuidv7(),
      workflow: { id: 'billing-dispute', version: 1 },
      tenantId: overrides.tenantId ?? 'acme',
      causationId: `trigger-${uuidv7()}`,
      deadline: new Date(Date.now() + 3_600_000),
      budget: { stepsLeft: 20, tokensLeft: 50_000, costLeftUsd: 1 },
    },
    { name: 'gather-context', kind: 'context' },
    {
      kind: 'context',
      trigger: {
        eventType: 'support.ticket.created',
        idempotencyKey: `key-${uuidv7()}`,
        data: overrides.data ?? { customerId: 'cus_1001' },
        receivedAt: new Date().toISOString(),
      },
    },
  );
}

/** The decision envelope that follows a context envelope. */
export function aDecisionEnvelope(
  previous: StepEnvelope = aContextEnvelope(),
): StepEnvelope<'decision'> {
  const trigger =
    previous.payload.kind === 'context'
      ? previous.payload.trigger
      : aContextEnvelope().payload.trigger;
  return nextStep(
    previous,
    { name: 'decide', kind: 'decision' },
    {
      kind: 'decision',
      state: { trigger, evidence: [], weakEvidence: true, history: [] },
    },
  );
}

/** `count` envelopes of one run, in causal order (context, then decisions). */
export function aRunOf(count: number): StepEnvelope[] {
  const run: StepEnvelope[] = [aContextEnvelope()];
  while (run.length < count) run.push(aDecisionEnvelope(run[run.length - 1]));
  return run;
}
