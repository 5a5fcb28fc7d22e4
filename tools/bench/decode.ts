// CPU per message decode, with and without the fast path (a compiled JSON Schema before
// class-validator, see decodeAs): `node --import ./tools/ts-register.mjs tools/bench/decode.ts`.
// Not part of any test suite; no broker, no database; a few seconds.
//
// Each row decodes one record as a consumer does (stepEnvelopeCodec.decode…: UTF-8, JSON.parse,
// shape checks, validation, class instances) BENCH_N times per round, and reports the median
// round's process CPU time (user + system) per decode. "before" is the same decode inside
// withoutFastPath: class-validator alone, as until now; before and after rounds alternate.
//
// Knobs (environment): BENCH_N (2000), BENCH_ROUNDS (15).
import {
  aContextEnvelope,
  nextStep,
  uuidv7,
  withoutFastPath,
  type RunState,
  type StepEnvelope,
} from '@baton/contracts';
import {
  effectRecordCodec,
  runEventCodec,
  stepEnvelopeCodec,
  triggerEventCodec,
  type InboundRecord,
  type MessageCodec,
} from '@baton/messaging';

const N = Number(process.env['BENCH_N'] ?? 2_000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 15);

/** A run state as a late step carries it: 8 finished steps, 3 pieces of evidence. */
function aLargeState(trigger: RunState['trigger']): RunState {
  return {
    trigger: {
      ...trigger,
      source: 'zendesk',
      data: {
        customerId: 'cus_1001',
        invoiceId: 'inv_2001',
        message: 'I was charged twice for November. Please refund the duplicate charge of $18.00.',
      },
    },
    evidence: [
      {
        source: 'billing-db',
        kind: 'record',
        ref: 'inv_2001',
        content: { invoiceId: 'inv_2001', amount: 18, currency: 'usd', charges: 2 },
        score: 0.94,
        weak: false,
      },
      {
        source: 'kb',
        kind: 'passage',
        content: ['Duplicate charges are refunded in full within 30 days of the charge.'],
        score: 0.71,
        weak: false,
      },
      {
        source: 'crm',
        kind: 'history',
        content: null,
        weak: true,
        note: 'the CRM did not answer in time',
        failed: true,
      },
    ],
    weakEvidence: false,
    history: Array.from({ length: 8 }, (_, seq) => ({
      name: ['gather-context', 'decide', 'check', 'refund', 'verify', 'decide', 'check', 'notify'][
        seq
      ]!,
      kind: (['context', 'decision', 'validation', 'action'] as const)[seq % 4]!,
      seq,
      outcome: seq % 2 ? 'act' : 'passed',
      output: { seq, note: `step ${seq} finished`, refs: [`ref-${seq}`] },
    })),
  };
}

function aLargeEnvelope(): StepEnvelope<'action'> {
  const context = aContextEnvelope();
  return nextStep(
    context,
    { name: 'refund', kind: 'action' },
    {
      kind: 'action',
      state: aLargeState(context.payload.trigger),
      decision: {
        next: 'act',
        tool: 'refund',
        args: { invoiceId: 'inv_2001', amount: 18 },
        label: 'refund-duplicate',
        confidence: 0.92,
        rationale: 'The invoice shows two identical charges on the same day.',
        decidedBy: 'model',
      },
    },
  );
}

const record = (message: unknown): InboundRecord => ({
  topic: 'bench',
  partition: 0,
  offset: '0',
  key: null,
  value: Buffer.from(JSON.stringify(message)),
  headers: {},
  timestamp: Date.now(),
});

const context = aContextEnvelope();
const cases: Array<[string, MessageCodec<unknown>, InboundRecord]> = [
  ['step envelope, small (context)', stepEnvelopeCodec as MessageCodec<unknown>, record(context)],
  [
    'step envelope, large (8 history, 3 evidence)',
    stepEnvelopeCodec as MessageCodec<unknown>,
    record(aLargeEnvelope()),
  ],
  [
    'run event (step.finished)',
    runEventCodec as MessageCodec<unknown>,
    record({
      schemaVersion: 1,
      eventId: uuidv7(),
      runId: context.runId,
      workflow: context.workflow,
      tenantId: context.tenantId,
      type: 'step.finished',
      createdAt: new Date().toISOString(),
      step: {
        name: 'decide',
        kind: 'decision',
        seq: 1,
        attempt: 1,
        envelopeId: uuidv7(),
        startedAt: new Date().toISOString(),
        finishedAt: new Date().toISOString(),
        outcome: 'act',
        output: { label: 'refund-duplicate' },
      },
    }),
  ],
  [
    'trigger event',
    triggerEventCodec as MessageCodec<unknown>,
    record({
      schemaVersion: 1,
      idempotencyKey: 'zendesk-ticket-48213',
      workflowId: 'billing-dispute',
      tenantId: 'acme',
      eventType: 'support.ticket.created',
      source: 'zendesk',
      occurredAt: new Date().toISOString(),
      data: { customerId: 'cus_1001', invoiceId: 'inv_2001' },
    }),
  ],
  [
    'effect record',
    effectRecordCodec as MessageCodec<unknown>,
    record({
      schemaVersion: 1,
      callKey: `${context.runId}:3:refund`,
      runId: context.runId,
      tenantId: 'acme',
      workflow: context.workflow,
      tool: 'refund',
      simulated: false,
      at: new Date().toISOString(),
      claims: [{ limit: 'per-invoice', key: 'inv_2001', amount: 18 }],
    }),
  ],
];

/** CPU µs per decode over one round of N decodes. */
function round(codec: MessageCodec<unknown>, input: InboundRecord): number {
  const start = process.cpuUsage();
  for (let i = 0; i < N; i++) if (!codec.decode(input).ok) throw new Error('not valid');
  const used = process.cpuUsage(start);
  return (used.user + used.system) / N;
}

const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

console.log(`CPU per decode (µs, median of ${ROUNDS} rounds of ${N}), Node ${process.version}`);
console.log('| message | bytes | before (class-validator) | after (fast path) | change |');
console.log('|---|---:|---:|---:|---:|');
for (const [name, codec, input] of cases) {
  // Warm-up (and the schema's compile, at the first decode); then the two alternate, round by
  // round, so that whatever else the machine does weighs on both alike.
  withoutFastPath(() => round(codec, input));
  round(codec, input);
  const before: number[] = [];
  const after: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    before.push(withoutFastPath(() => round(codec, input)));
    after.push(round(codec, input));
  }
  const [b, a] = [median(before), median(after)];
  const change = `${Math.round((a / b - 1) * 100)} %`;
  console.log(
    `| ${name} | ${input.value!.length} | ${b.toFixed(1)} | ${a.toFixed(1)} | ${change} |`,
  );
}
