import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { topicNames, type RunEvent, type StepEnvelope } from '@baton/contracts';
import {
  HelpdeskTestServer,
  OtlpReceiver,
  ServiceProcesses,
  TestKafka,
  billingWorkflow,
  businessQuery,
  dropSchema,
  expectEventually,
  seedBusinessData,
  serviceTestEnvironment,
  testKafkaBrokers,
  testSigningKey,
  writeWorkflows,
  type ReadRecord,
} from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anAction } from './testing/action-envelopes.fixture.js';

const SECRET = 'hd-token-7f3a9c1e5b2d48f6a0c3';

/**
 * HTTP tools against a real help-desk server, with the action service as a process of its own
 * on the real broker and Postgres, so it can be killed with SIGKILL between the request and the
 * commit. The server honours Idempotency-Key and counts requests per key.
 */
describe('HTTP tools (action service process, real Kafka, Postgres and help-desk server)', () => {
  const kafka = new TestKafka();
  const spans = new OtlpReceiver();
  let helpdesk: HelpdeskTestServer;
  let processes: ServiceProcesses;
  let workflowsDir: string;
  let logDir: string;
  let schema: string;
  let names: ReturnType<typeof topicNames>;
  let validations: ReadRecord[];
  let events: ReadRecord[];

  beforeAll(async () => {
    await seedBusinessData();
    await spans.start();
    helpdesk = await HelpdeskTestServer.start(SECRET);
    const base = billingWorkflow() as ReturnType<typeof billingWorkflow> & {
      validation: Record<string, unknown>;
      tools: Array<Record<string, unknown>>;
    };
    const http = (tool: Record<string, unknown>) => ({
      access: 'read',
      kind: 'http',
      description: 'A help-desk call.',
      requiredArgs: [],
      method: 'GET',
      headers: { authorization: 'Bearer {{ secret.helpdesk-token }}' },
      ...tool,
    });
    workflowsDir = writeWorkflows([
      {
        ...base,
        id: 'helpdesk-http',
        validation: { ...base.validation, approvals: [], checks: [] },
        tools: [
          ...base.tools,
          http({
            name: 'post-answer',
            access: 'write',
            method: 'POST',
            url: `${helpdesk.url}/api/answers`,
            body: { employeeId: '{{ args.employeeId }}', articleId: '{{ args.articleId }}' },
            response: { answerId: 'body.id', state: 'body.status' },
          }),
          // Its host is outside the allow-list (127.0.0.1 only): a refusal at call time.
          http({ name: 'post-elsewhere', url: `http://localhost:${helpdesk.port}/api/final` }),
          http({ name: 'follow-moved', url: `${helpdesk.url}/api/moved` }),
          http({ name: 'echo-auth', url: `${helpdesk.url}/api/echo-auth` }),
          http({ name: 'rejected', url: `${helpdesk.url}/api/status/422` }),
        ],
      },
    ]);
    const environment = await serviceTestEnvironment('action', {
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      BATON_SIGNING_KEY: testSigningKey(),
      BATON_WORKFLOWS_DIR: workflowsDir,
      BATON_OUTBOUND_ALLOWED_HOSTS: '127.0.0.1',
      BATON_SECRET_HELPDESK_TOKEN: SECRET,
      // The killed instance's partitions go to its successor once its session has expired.
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      KAFKA_HEARTBEAT_INTERVAL_MS: '500',
      // Every line the service writes, and every span it makes, are searched for the secret.
      LOG_LEVEL: 'debug',
      OTEL_EXPORTER_OTLP_ENDPOINT: spans.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    });
    schema = environment.schema;
    names = topicNames(environment.prefix);
    logDir = mkdtempSync(join(tmpdir(), 'baton-http-tools-'));
    processes = new ServiceProcesses(
      logDir,
      () => ({ ...process.env, ...environment.env }),
      () => Number(environment.env['PORT']),
    );
    await processes.start('action');
    validations = await kafka.read(names.steps.validation);
    events = await kafka.read(names.runEvents);
  }, 180_000);

  afterAll(async () => {
    await processes?.stopAll();
    await kafka.close();
    await helpdesk?.close();
    await spans.stop();
    if (schema) await dropSchema(schema);
    rmSync(workflowsDir, { recursive: true, force: true });
    rmSync(logDir, { recursive: true, force: true });
  });

  const send = (envelope: StepEnvelope<'action'>) =>
    kafka.produce(names.steps.action, [{ key: envelope.runId, value: JSON.stringify(envelope) }]);
  const validationsOf = (runId: string) =>
    validations
      .map((r) => JSON.parse(r.value!.toString()) as StepEnvelope<'validation'>)
      .filter((e) => e.runId === runId);
  const resultOf = async (envelope: StepEnvelope<'action'>, timeoutMs?: number) =>
    expectEventually(
      () => {
        const [found] = validationsOf(envelope.runId);
        expect(found).toBeDefined();
        return found!.payload.result;
      },
      timeoutMs ? { timeoutMs } : {},
    );
  const call = (tool: string, args: Record<string, unknown> = {}) =>
    anAction({ tool, args }, 'helpdesk-http');
  /** Sends a call of a tool, and resolves once its result is out. */
  const run = async (tool: string) => {
    const action = call(tool);
    await send(action);
    return { action, result: await resultOf(action) };
  };

  it(
    'writes once when the action service is killed (SIGKILL) between the request and its commit',
    { timeout: 120_000 },
    async () => {
      const action = call('post-answer', { employeeId: 'emp_702', articleId: 'hd-vpn' });
      const key = `${action.runId}:1:post-answer`;
      // The help desk writes the answer, then keeps the reply: the service is killed waiting.
      helpdesk.hold();
      await send(action);
      await expectEventually(() => expect(helpdesk.requestsFor(key)).toBe(1));
      await processes.stop('action', 'SIGKILL');
      helpdesk.release();
      expect(validationsOf(action.runId), 'nothing was committed before the kill').toEqual([]);

      // The restarted service gets the step again and sends it under the same key.
      await processes.start('action');
      const result = await resultOf(action, 60_000);
      expect(result).toEqual({
        status: 'succeeded',
        idempotencyKey: key,
        output: { answerId: 'ans_1', state: 'sent' },
      });
      expect(helpdesk.requestsFor(key)).toBe(2);
      expect(helpdesk.answersFor(key)).toHaveLength(1);
      expect(helpdesk.answersFor(key)[0]!.body).toEqual({
        employeeId: 'emp_702',
        articleId: 'hd-vpn',
      });

      // What a later redelivery returns without a request: the call as recorded.
      const [row] = await businessQuery<{ status: string; result: unknown }>(
        `SELECT status, result FROM "${schema}".tool_calls WHERE idempotency_key = $1`,
        [key],
      );
      expect(row).toEqual({ status: 'succeeded', result });
    },
  );

  it('sends nothing to a host outside BATON_OUTBOUND_ALLOWED_HOSTS: the call fails for good', async () => {
    const before = helpdesk.requests.length;
    const { action, result } = await run('post-elsewhere');
    expect(result).toEqual({
      status: 'failed',
      idempotencyKey: `${action.runId}:1:post-elsewhere`,
      error: 'not sent: host localhost is not in BATON_OUTBOUND_ALLOWED_HOSTS',
    });
    expect(helpdesk.requests.slice(before)).toEqual([]);
  });

  it('never follows a redirect to another host', async () => {
    const before = helpdesk.requests.length;
    const { result } = await run('follow-moved');
    expect(result).toMatchObject({
      status: 'failed',
      error: `127.0.0.1 redirected to localhost:${helpdesk.port}: redirects are followed only on the same host`,
    });
    expect(helpdesk.requests.slice(before)).toEqual(['GET /api/moved']);
  });

  it('fails a 4xx for good, naming the status and the host only', async () => {
    const { result } = await run('rejected');
    expect(result).toMatchObject({
      status: 'failed',
      error: 'HTTP 422 from 127.0.0.1',
    });
  });

  it('never lets the secret out: not in an echoed answer, a log line, a span or a message', async () => {
    const { action, result } = await run('echo-auth');
    expect(result).toMatchObject({
      status: 'succeeded',
      output: { status: 200, body: { got: 'Bearer [secret]' } },
    });
    await expectEventually(() =>
      expect(
        events
          .map((r) => JSON.parse(r.value!.toString()) as RunEvent)
          .filter((e) => e.runId === action.runId && e.type === 'step.finished'),
      ).toHaveLength(1),
    );
    // A graceful stop flushes the spans and the log.
    await processes.stop('action');
    const log = readFileSync(processes.logFile('action'), 'utf8');
    expect(log.split('\n').length, 'the service logged').toBeGreaterThan(20);
    expect(spans.spans.length, 'the service exported its spans').toBeGreaterThan(0);
    expect(log).not.toContain(SECRET);
    expect(JSON.stringify(spans.spans)).not.toContain(SECRET);
    const published = [...validations, ...events].map((r) => r.value!.toString());
    expect(published.length).toBeGreaterThan(4);
    for (const message of published) expect(message).not.toContain(SECRET);
    const rows = await businessQuery(`SELECT * FROM "${schema}".tool_calls`);
    expect(rows.length).toBeGreaterThan(4);
    expect(JSON.stringify(rows)).not.toContain(SECRET);
  });
});
