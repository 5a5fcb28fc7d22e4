// A consumer in its own process, for crash tests: it handles envelopes from INPUT_TOPIC
// (recording each in `handled`, in the handler's transaction) and emits the next step to
// OUTPUT_TOPIC. With CRASH_ON_OUTPUT_OF=<envelopeId> it kills itself (SIGKILL) at the
// moment it would publish that envelope's successor: after the commit, before the send.
import { nextStep, type StepEnvelope } from '@baton/contracts';
import { loadConfig } from '@baton/config';
import { openDatabase } from '@baton/persistence';
import { createLogger } from '@baton/telemetry';
import { stepEnvelopeCodec } from '../codec/message-codec.js';
import { MessagingConfig } from '../messaging.config.js';
import { MessagingRuntime } from '../messaging.runtime.js';
import { createTransport } from '../transport/create-transport.js';
import type { MessageTransport, OutboundRecord } from '../transport/transport.js';
import { TEST_MIGRATIONS } from './runtime.fixture.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const logger = createLogger({
  service: 'crash-consumer',
  version: 'test',
  level: process.env['LOG_LEVEL'] ?? 'error',
});
const config = loadConfig(MessagingConfig, {
  ...process.env,
  BATON_CONCURRENCY: '8',
  BATON_OUTBOX_SWEEP_INTERVAL_MS: '200',
  BATON_OUTBOX_SWEEP_GRACE_MS: '300',
});
const crashOn = process.env['CRASH_ON_OUTPUT_OF'];
const dataSource = await openDatabase({
  url: env('DATABASE_URL'),
  schema: env('SCHEMA'),
  migrations: TEST_MIGRATIONS,
});
const kafka = createTransport(config, 'crash-consumer', logger);
const transport: MessageTransport = Object.assign(Object.create(kafka) as MessageTransport, {
  publish: async (records: OutboundRecord[]) => {
    if (crashOn && records.some((r) => String(r.value).includes(`"causationId":"${crashOn}"`))) {
      process.kill(process.pid, 'SIGKILL');
    }
    return kafka.publish(records);
  },
});
const runtime = new MessagingRuntime({
  consumer: env('GROUP'),
  transport,
  dataSource,
  logger,
  config,
});
const output = { topic: env('OUTPUT_TOPIC'), codec: stepEnvelopeCodec };
runtime.on(
  { topic: env('INPUT_TOPIC'), codec: stepEnvelopeCodec },
  async (envelope: StepEnvelope, ctx) => {
    await ctx.manager.query(
      'INSERT INTO handled (message_id, run_id, seq, pid) VALUES ($1, $2, $3, $4)',
      [envelope.envelopeId, envelope.runId, envelope.step.seq, process.pid],
    );
    await new Promise((resolve) => setTimeout(resolve, 100)); // keep several records in flight
    if (envelope.payload.kind !== 'context') return;
    ctx.emit(
      output,
      nextStep(
        envelope,
        { name: 'decide', kind: 'decision' },
        {
          kind: 'decision',
          state: {
            trigger: envelope.payload.trigger,
            evidence: [],
            weakEvidence: false,
            history: [],
          },
        },
      ),
    );
  },
);
await runtime.start();
process.stdout.write('ready\n');

process.once('SIGTERM', () => {
  void runtime
    .stop()
    .then(() => kafka.close())
    .then(() => dataSource.destroy())
    .then(() => process.exit(0));
});
