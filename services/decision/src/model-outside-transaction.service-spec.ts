import type { RunEvent, StepEnvelope } from '@baton/contracts';
import type { MessagingRuntime } from '@baton/messaging';
import { MESSAGING_RUNTIME } from '@baton/service-kit';
import { ScriptedOpenAI, expectEventually, testDatabaseUrl } from '@baton/testing';
import pg from 'pg';
import {
  ofRun,
  startServiceInProcess,
  type InProcessService,
  type Read,
} from '@baton/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelAdmission } from './clients/model-admission.js';
import { decisionService } from './decision.service-definition.js';
import { CountingProxy } from './testing/counting-proxy.fixture.js';
import { aDecision, aModelCredit } from './testing/decision-envelopes.fixture.js';

// The model is asked outside any database transaction (docs/architecture.md, "The decision
// step and its model"): while it thinks the step holds no connection; its answer is recorded
// right after the call, so a step tried again does not ask again; per-model admission bounds
// the calls at the provider. The scripted model answers only when the test opens its gate.

/** A promise the test resolves: holds a scripted answer until the test says. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

interface PgPool {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options: { max: number };
  /** pg's own list of the pool's clients (not in its typings); each knows its backend's pid. */
  _clients: Array<{ processID: number }>;
}
/** The service's own connection pool (pg's Pool under TypeORM). */
const poolOf = (service: InProcessService) =>
  (service.dataSource.driver as unknown as { master: PgPool }).master;
/** Connections checked out of the pool now: held by a transaction or a query under way. */
const checkedOut = (service: InProcessService) => {
  const pool = poolOf(service);
  return pool.totalCount - pool.idleCount;
};
/**
 * The states of the backends behind the service's pool, from pg_stat_activity, counted by a
 * connection of the test's own (other services under test share the application_name).
 */
const backendStates = async (service: InProcessService) => {
  const pids = poolOf(service)._clients.map((client) => client.processID);
  const client = new pg.Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number; state: string }>(
      'SELECT pid, state FROM pg_stat_activity WHERE pid = ANY($1)',
      [pids],
    );
    return { pids, states: rows.map((row) => row.state) };
  } finally {
    await client.end();
  }
};
/** No backend of the pool sits in an open transaction (and the pool has backends to look at). */
const expectNoneInTransaction = async (service: InProcessService) => {
  const { pids, states } = await backendStates(service);
  expect(pids.length).toBeGreaterThan(0);
  expect(states).toHaveLength(pids.length);
  expect(states.filter((state) => state.startsWith('idle in transaction'))).toEqual([]);
};

const MODEL_ENV = { OPENAI_API_KEY: 'test', OPENAI_TIMEOUT_MS: '120000' };

describe('decision service: 50 runs wait on the model at once, on a pool of 5 connections', () => {
  const scripted = new ScriptedOpenAI();
  let service: InProcessService;
  let validations: Read<StepEnvelope<'validation'>>;

  beforeAll(async () => {
    await scripted.start();
    service = await startServiceInProcess(decisionService, {
      env: {
        ...MODEL_ENV,
        OPENAI_BASE_URL: scripted.baseURL,
        BATON_CONCURRENCY: '64',
        DATABASE_POOL_SIZE: '5',
      },
    });
    validations = await service.watch(service.names.steps.validation);
  });
  afterAll(async () => {
    await service?.close();
    await scripted.stop();
  });

  it('holds no connection while the model thinks, and every run completes once it answers', async () => {
    expect(poolOf(service).options.max).toBeLessThanOrEqual(5);
    const answer = gate();
    const runs = Array.from({ length: 50 }, () => aDecision());
    scripted.reply(...runs.map(() => ({ json: aModelCredit(), after: answer.opened })));
    const asked = scripted.requests.length;
    for (const envelope of runs) await service.publish(service.names.steps.decision, envelope);

    // All 50 are with the model at once: a step holding a connection while it waits would cap
    // this at the pool's 5.
    await expectEventually(() => expect(scripted.requests.length).toBe(asked + 50));
    expect(checkedOut(service)).toBe(0);
    expect(poolOf(service).waitingCount).toBe(0);
    await expectNoneInTransaction(service);

    answer.open();
    await expectEventually(() => {
      for (const envelope of runs) expect(ofRun(validations, envelope.runId)).toHaveLength(1);
    });
    expect(scripted.requests.length).toBe(asked + 50);
    for (const envelope of runs) {
      expect(ofRun(validations, envelope.runId)[0]!.payload.decision).toMatchObject({
        next: 'act',
        tool: 'issue-credit',
        decidedBy: 'model',
      });
    }
    // Each answer was applied once: none is left to apply.
    expect(await service.dataSource.query('SELECT envelope_id FROM model_answers')).toEqual([]);
  });
});

describe('decision service: a decision tried again after the model answered (answer recorded, its transaction failed)', () => {
  const scripted = new ScriptedOpenAI();
  let service: InProcessService;
  let validations: Read<StepEnvelope<'validation'>>;
  let events: Read<RunEvent>;
  let deadLetters: Read<{ runId: string }>;

  beforeAll(async () => {
    await scripted.start();
    service = await startServiceInProcess(decisionService, {
      env: {
        ...MODEL_ENV,
        OPENAI_BASE_URL: scripted.baseURL,
        BATON_RETRY_MAX_ATTEMPTS: '3',
        BATON_RETRY_INITIAL_DELAY_MS: '10',
        BATON_RETRY_MAX_DELAY_MS: '20',
      },
    });
    validations = await service.watch(service.names.steps.validation);
    events = await service.watch(service.names.runEvents);
    deadLetters = await service.watch(`${service.names.steps.decision}.dlq`);
    // The step's transaction fails for the envelopes listed here: its inbox claim raises, after
    // counting the attempt in a sequence (which a rollback does not undo).
    await service.dataSource.query(`
      CREATE TABLE failing_claims (message_id text PRIMARY KEY);
      CREATE SEQUENCE failed_claims;
      CREATE FUNCTION fail_claim() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM failing_claims WHERE message_id = NEW.message_id) THEN
          PERFORM nextval('failed_claims');
          RAISE EXCEPTION 'test: the step''s transaction fails';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER fail_claim BEFORE INSERT ON inbox FOR EACH ROW EXECUTE FUNCTION fail_claim();
    `);
  });
  afterAll(async () => {
    await service?.close();
    await scripted.stop();
  });

  /** Resolves once the service has finished every record it was given (none in flight). */
  const settled = () =>
    expectEventually(() =>
      expect(service.running.app.get<MessagingRuntime>(MESSAGING_RUNTIME).stats).toMatchObject({
        buffered: 0,
      }),
    );

  it('asks the model once across retries and redeliveries, and sends the decision on once', async () => {
    scripted.reply({ json: aModelCredit() });
    const envelope = aDecision();
    const asked = scripted.requests.length;
    await service.dataSource.query('INSERT INTO failing_claims VALUES ($1)', [envelope.envelopeId]);

    // First delivery: asked once, answer recorded; its transaction fails on each of its three
    // attempts (the second and third reuse the recorded answer), and it is dead-lettered.
    await service.publish(service.names.steps.decision, envelope);
    await expectEventually(() => expect(ofRun(deadLetters, envelope.runId)).toHaveLength(1));
    const [{ failed }] = (await service.dataSource.query(
      'SELECT last_value::int AS failed FROM failed_claims',
    )) as [{ failed: number }];
    expect(failed).toBe(3);
    expect(scripted.requests.length).toBe(asked + 1);
    expect(
      await service.dataSource.query('SELECT outcome FROM model_calls WHERE run_id = $1', [
        envelope.runId,
      ]),
    ).toEqual([{ outcome: 'ok' }]);
    expect(
      await service.dataSource.query('SELECT run_id FROM model_answers WHERE envelope_id = $1', [
        envelope.envelopeId,
      ]),
    ).toEqual([{ run_id: envelope.runId }]);
    expect(service.published(service.names.steps.validation, envelope.runId)).toEqual([]);

    // Redelivered (replayed from its dead-letter topic) once the cause is gone: the recorded
    // answer is acted on, and the model is not asked again.
    await service.dataSource.query('DELETE FROM failing_claims');
    await service.publish(service.names.steps.decision, envelope);
    await expectEventually(() => expect(ofRun(validations, envelope.runId)).toHaveLength(1));
    expect(ofRun(validations, envelope.runId)[0]!.payload.decision).toMatchObject({
      next: 'act',
      tool: 'issue-credit',
      decidedBy: 'model',
    });
    const reported = ofRun(events, envelope.runId).filter((e) => e.type === 'step.finished');
    expect(reported.map((e) => e.step?.outcome)).toEqual(['dead-lettered', 'act']);
    expect(
      await service.dataSource.query('SELECT 1 FROM model_answers WHERE envelope_id = $1', [
        envelope.envelopeId,
      ]),
    ).toEqual([]);

    // Delivered yet again, handled this time: the inbox says so before anything is asked.
    await service.publish(service.names.steps.decision, envelope);
    await settled();
    expect(scripted.requests.length).toBe(asked + 1);
    expect(service.published(service.names.steps.validation, envelope.runId)).toHaveLength(1);
    expect(
      await service.dataSource.query(
        'SELECT count(*)::int AS n FROM model_calls WHERE run_id = $1',
        [envelope.runId],
      ),
    ).toEqual([{ n: 1 }]);
  });
});

describe('decision service: admission to the model (BATON_MODEL_MAX_CONCURRENT)', () => {
  const scripted = new ScriptedOpenAI();
  const proxy = new CountingProxy(() => scripted.url);
  let service: InProcessService;
  let validations: Read<StepEnvelope<'validation'>>;

  beforeAll(async () => {
    await scripted.start();
    await proxy.start();
    service = await startServiceInProcess(decisionService, {
      env: {
        ...MODEL_ENV,
        OPENAI_BASE_URL: proxy.baseURL,
        BATON_MODEL_MAX_CONCURRENT: 'gpt-4.1-mini=2,*=0',
      },
    });
    validations = await service.watch(service.names.steps.validation);
  });
  afterAll(async () => {
    await service?.close();
    await proxy.stop();
    await scripted.stop();
  });

  it('has at most 2 calls at the model at once; the others wait holding no connection, and all complete', async () => {
    const answer = gate();
    const runs = Array.from({ length: 8 }, () => aDecision());
    scripted.reply(...runs.map(() => ({ json: aModelCredit(), after: answer.opened })));
    const asked = scripted.requests.length;
    for (const envelope of runs) await service.publish(service.names.steps.decision, envelope);

    // Two calls at the model; the other six wait for admission, in no transaction.
    const admission = service.running.app.get(ModelAdmission);
    await expectEventually(() => {
      expect(proxy.inFlight).toBe(2);
      expect(admission.stats('gpt-4.1-mini')).toMatchObject({ inFlight: 2, waiting: 6 });
    });
    expect(scripted.requests.length).toBe(asked + 2);
    expect(checkedOut(service)).toBe(0);
    await expectNoneInTransaction(service);

    answer.open();
    await expectEventually(() => {
      for (const envelope of runs) expect(ofRun(validations, envelope.runId)).toHaveLength(1);
    });
    expect(scripted.requests.length).toBe(asked + 8);
    expect(proxy.peak).toBe(2);
    expect(admission.stats('gpt-4.1-mini')).toMatchObject({
      inFlight: 0,
      waiting: 0,
      peakInFlight: 2,
    });
  });
});
