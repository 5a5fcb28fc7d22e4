import { runEventFor, uuidv7, type RunEvent } from '@baton/contracts';
import { Routes, TransactionBatches } from '@baton/messaging';
import { openDatabase } from '@baton/persistence';
import { serviceMigrations } from '@baton/service-kit';
import { freshSchema } from '@baton/testing';
import type { DataSource, EntityManager } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunLedger } from '../../store/run-ledger.repository.js';
import { triggerService } from '../../trigger.service-definition.js';
import { RecordRunEventUseCase } from './record-run-event.use-case.js';

/**
 * The run ledger applies a batch of run events (the messages sharing one transaction under group
 * commit) with one multi-row statement: the statements are counted, so a return to per-event
 * writes fails here. The batch keeps the ledger's rules: a redelivered report changes nothing, a
 * dead-lettered step takes its replay's report, and a run's reports apply in order.
 */
describe('RecordRunEventUseCase: a batch of run events (real Postgres)', () => {
  const ledger = new RunLedger();
  const useCase = new RecordRunEventUseCase(new Routes(), ledger);
  const workflow = { id: 'billing-dispute', version: 1 };
  let dataSource: DataSource;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const schema = freshSchema('ledger-batch');
    drop = schema.drop;
    dataSource = await openDatabase({
      url: schema.url,
      schema: schema.schema,
      migrations: serviceMigrations(triggerService),
      poolSize: 2,
    });
  }, 60_000);
  afterAll(async () => {
    await dataSource?.destroy();
    await drop?.();
  });

  async function newRun(): Promise<string> {
    const id = uuidv7();
    await ledger.insert(dataSource.manager, {
      id,
      tenantId: 'acme',
      idempotencyKey: id,
      workflow,
      eventType: 'support.ticket.created',
      source: null,
      trigger: {},
      digest: 'd',
      dedupKey: null,
      traceId: null,
    });
    return id;
  }

  function report(
    runId: string,
    seq: number,
    outcome: string,
    envelopeId = uuidv7(),
    at = new Date(),
  ) {
    return runEventFor(
      { runId, workflow, tenantId: 'acme' },
      {
        type: 'step.finished',
        step: {
          name: `step-${seq}`,
          kind: 'context',
          seq,
          attempt: 1,
          envelopeId,
          startedAt: at.toISOString(),
          finishedAt: at.toISOString(),
          outcome,
        },
      },
      at,
    );
  }

  /** Applies the events as one group's transaction does; the SQL statements it sent. */
  async function applyBatch(events: RunEvent[]): Promise<string[]> {
    const statements: string[] = [];
    const emitted: unknown[] = [];
    await dataSource.transaction(async (inner) => {
      const manager = new Proxy(inner, {
        get(target, property, receiver) {
          if (property === 'query')
            return (sql: string, params?: unknown[]) => {
              statements.push(sql.replace(/\s+/g, ' ').trim());
              return target.query(sql, params);
            };
          return Reflect.get(target, property, receiver) as unknown;
        },
      }) as EntityManager;
      const batches = new TransactionBatches();
      for (const event of events)
        await useCase.execute(event, {
          manager,
          emit: (_route, message) => emitted.push(message),
          batch: (key, create, flush) => batches.batch(key, create, flush),
        });
      await batches.flush(manager);
    });
    return statements;
  }

  const steps = (runId: string) => ledger.steps(dataSource.manager, runId);
  /** How many statements hold `fragment` (the runs' UPDATE rides with the last INSERT). */
  const count = (statements: string[], fragment: string) =>
    statements.filter((sql) => sql.includes(fragment)).length;

  it('writes the step reports of twenty runs in one statement: a multi-row INSERT with the runs UPDATE', async () => {
    const runs = await Promise.all(Array.from({ length: 20 }, () => newRun()));
    const later = new Date(Date.now() + 60_000);
    const statements = await applyBatch(
      runs.map((runId) => report(runId, 1, 'gathered', uuidv7(), later)),
    );

    expect(statements).toHaveLength(1);
    expect(count(statements, 'INSERT INTO run_steps')).toBe(1);
    expect(count(statements, 'UPDATE runs')).toBe(1);
    for (const runId of runs) {
      expect(await steps(runId)).toEqual([
        expect.objectContaining({ seq: 1, outcome: 'gathered' }),
      ]);
      const run = await ledger.get(dataSource.manager, runId);
      expect(run?.updated_at.getTime()).toBe(later.getTime());
    }
  });

  it('keeps the rules: a redelivery changes nothing, a dead-lettered step takes its replay', async () => {
    const [a, b] = [await newRun(), await newRun()];
    const stuck = uuidv7();
    const kept = uuidv7();
    await applyBatch([report(a, 1, 'dead-lettered', stuck), report(b, 1, 'gathered', kept)]);

    const statements = await applyBatch([
      report(a, 1, 'gathered', stuck),
      report(b, 1, 'changed', kept),
    ]);
    expect(count(statements, 'INSERT INTO run_steps')).toBe(1);
    expect(await steps(a)).toEqual([expect.objectContaining({ outcome: 'gathered' })]);
    expect(await steps(b)).toEqual([expect.objectContaining({ outcome: 'gathered' })]);
  });

  it('applies one envelope reported twice in a batch in order (a second INSERT)', async () => {
    const runId = await newRun();
    const envelope = uuidv7();
    const statements = await applyBatch([
      report(runId, 1, 'dead-lettered', envelope),
      report(runId, 1, 'gathered', envelope),
      report(runId, 2, 'decided'),
    ]);
    expect(statements).toHaveLength(2);
    expect(count(statements, 'INSERT INTO run_steps')).toBe(2);
    expect(count(statements, 'UPDATE runs')).toBe(1);
    expect((await steps(runId)).map((s) => [s.seq, s.outcome])).toEqual([
      [1, 'gathered'],
      [2, 'decided'],
    ]);
  });

  it('mixes status moves with step reports: each run ends as its events say', async () => {
    const [reported, waiting, ended] = [await newRun(), await newRun(), await newRun()];
    const of = (runId: string) => ({ runId, workflow, tenantId: 'acme' });
    await applyBatch([
      report(reported, 1, 'gathered'),
      runEventFor(of(waiting), { type: 'run.waiting', reason: 'low confidence' }),
      runEventFor(of(ended), { type: 'run.ended', status: 'completed', reason: 'done' }),
    ]);
    const status = async (id: string) => (await ledger.get(dataSource.manager, id))?.status;
    expect(await status(reported)).toBe('running');
    expect(await status(waiting)).toBe('waiting-for-review');
    expect(await status(ended)).toBe('completed');
    expect(await steps(reported)).toHaveLength(1);
  });
});
