import type { RunEvent, StepEnvelope } from '@baton/contracts';
import { startServiceInProcess, type InProcessService } from '@baton/service-kit/testing';
import {
  billingWorkflowWithSources,
  businessQuery,
  expectEventually,
  seedBusinessData,
  writeWorkflows,
} from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextService } from './context.service-definition.js';
import { contextFor } from './testing/context-envelopes.fixture.js';

/**
 * A source whose system cannot serve ("too many clients") is retried like any unavailable
 * dependency, and is recorded as failed — not as "found nothing" — only when it never
 * answers; a source that refuses the query (a missing table) fails at once.
 *
 * The business database is real: a function stands in for the customer lookup and raises
 * SQLSTATE 53300 while a switch says so. Before raising, it takes a shared advisory lock (the
 * only trace a read-only statement can leave), so the test knows an attempt failed before it
 * turns the switch off — no timing involved.
 */
const SCHEMA = `flaky_${process.pid}_${Math.random().toString(36).slice(2, 7)}`;
const ATTEMPTED = 700_000 + (process.pid % 100_000);

const customerFrom = (query: string) => ({
  name: 'customer',
  kind: 'sql',
  query,
  params: ['trigger.data.customerId'],
  rows: 'one',
  timeoutMs: 2000,
  required: true,
});

describe('context sources that fail (in-process transport, real Postgres)', () => {
  let recovering: InProcessService;
  let exhausted: InProcessService;
  const reads = new Map<InProcessService, () => Array<StepEnvelope<'decision'>>>();
  const events = new Map<InProcessService, () => RunEvent[]>();

  const gather = async (service: InProcessService, workflowId: string) => {
    const envelope = contextFor({ customerId: 'cus_1001', message: 'charged twice' }, workflowId);
    await service.publish(service.names.steps.context, envelope);
    return envelope;
  };
  const decisionOf = (service: InProcessService, runId: string) =>
    expectEventually(
      () => {
        const found = reads.get(service)!().find((e) => e.runId === runId);
        expect(found).toBeDefined();
        return found!;
      },
      { timeoutMs: 60_000 },
    );

  beforeAll(async () => {
    await seedBusinessData();
    await businessQuery(`
      CREATE SCHEMA ${SCHEMA};
      CREATE TABLE ${SCHEMA}.switch (failing boolean NOT NULL);
      INSERT INTO ${SCHEMA}.switch VALUES (true);
      CREATE FUNCTION ${SCHEMA}.customer(wanted text)
        RETURNS TABLE (id text, name text) LANGUAGE plpgsql AS $$
      BEGIN
        IF (SELECT failing FROM ${SCHEMA}.switch) THEN
          PERFORM pg_advisory_lock_shared(${ATTEMPTED});
          RAISE EXCEPTION 'sorry, too many clients already' USING ERRCODE = '53300';
        END IF;
        RETURN QUERY SELECT c.id, c.name FROM billing.customers c WHERE c.id = wanted;
      END $$;
      CREATE FUNCTION ${SCHEMA}.down(wanted text)
        RETURNS TABLE (id text) LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'sorry, too many clients already' USING ERRCODE = '53300';
      END $$;`);
    const workflows = () =>
      writeWorkflows([
        billingWorkflowWithSources('flaky-customer', [
          customerFrom(`SELECT * FROM ${SCHEMA}.customer($1)`),
        ]),
        billingWorkflowWithSources('customer-down', [
          customerFrom(`SELECT * FROM ${SCHEMA}.down($1)`),
        ]),
        billingWorkflowWithSources('missing-table', [
          customerFrom('SELECT id FROM billing.customerz WHERE id = $1'),
        ]),
      ]);
    // Attempts enough (100, up to 1 s apart) that the test, not the budget, decides when the
    // source recovers: it does so as soon as one attempt has failed.
    recovering = await startServiceInProcess(contextService, {
      workflowsDir: workflows(),
      env: { BATON_RETRY_MAX_ATTEMPTS: '100', BATON_RETRY_MAX_DELAY_MS: '1000' },
    });
    exhausted = await startServiceInProcess(contextService, {
      workflowsDir: workflows(),
      env: { BATON_RETRY_MAX_ATTEMPTS: '3' },
    });
    for (const service of [recovering, exhausted]) {
      reads.set(service, await service.watch(service.names.steps.decision));
      events.set(service, await service.watch(service.names.runEvents));
    }
  }, 120_000);

  afterAll(async () => {
    await recovering?.close();
    await exhausted?.close();
    await businessQuery(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  });

  it('retries a source that has too many clients, and reads it as found once it answers', async () => {
    const envelope = await gather(recovering, 'flaky-customer');
    // An attempt failed (it left its lock), so the database recovers now.
    await expectEventually(async () =>
      expect(
        await businessQuery(
          `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND granted`,
          [ATTEMPTED],
        ),
      ).not.toEqual([]),
    );
    await businessQuery(`UPDATE ${SCHEMA}.switch SET failing = false`);

    const decision = await decisionOf(recovering, envelope.runId);
    expect(decision.payload.state.evidence).toEqual([
      {
        source: 'customer',
        kind: 'record',
        content: { id: 'cus_1001', name: 'Dana Whitfield' },
        weak: false,
      },
    ]);
    const finished = events.get(recovering)!().find(
      (e) => e.runId === envelope.runId && e.type === 'step.finished',
    );
    expect(finished!.step!.output!['attempts']).toBeGreaterThanOrEqual(2);
  });

  it('records a source still unavailable after every attempt as failed, with the reason', async () => {
    const envelope = await gather(exhausted, 'customer-down');
    const [customer] = (await decisionOf(exhausted, envelope.runId)).payload.state.evidence;
    expect(customer).toEqual({
      source: 'customer',
      kind: 'record',
      content: null,
      weak: true,
      failed: true,
      note: 'required source failed: sorry, too many clients already (SQLSTATE 53300) (unavailable after every attempt)',
    });
  });

  it('fails a source that refuses the query at once, without retrying it', async () => {
    const envelope = await gather(recovering, 'missing-table');
    const [customer] = (await decisionOf(recovering, envelope.runId)).payload.state.evidence;
    expect(customer).toMatchObject({
      content: null,
      failed: true,
      note: 'required source failed: relation "billing.customerz" does not exist (SQLSTATE 42P01)',
    });
    const finished = events.get(recovering)!().find(
      (e) => e.runId === envelope.runId && e.type === 'step.finished',
    );
    expect(finished!.step!.output!['attempts']).toBeUndefined();
  });
});
