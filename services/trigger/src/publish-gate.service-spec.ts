import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { runEventFor, uuidv7, type RunEvent } from '@baton/contracts';
import {
  documentedAnswers,
  startServiceInProcess,
  type DocumentedAnswers,
  type InProcessService,
} from '@baton/service-kit/testing';
import { bearer, expectEventually, testApiKeysSetting } from '@baton/testing';
import { workflowDigest } from '@baton/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aTriggerEvent, postTrigger } from './testing/trigger-event.fixture.js';
import { triggerService } from './trigger.service-definition.js';

const billing = parse(
  readFileSync(
    new URL('../../../workflows/billing-dispute/workflow.yaml', import.meta.url),
    'utf8',
  ),
) as Record<string, unknown>;
const GATE = {
  requires: ['backtest'],
  backtest: { minAgreement: 0.9, maxNewRefusedWrites: 0 },
};
/** The write a reviewer rejected on the live version's run. */
const REJECTED = { tool: 'issue-credit', args: { customerId: 'cus_1001', amount: 500 } };

/**
 * Candidate versions and the publish gate over the trigger service's HTTP API
 * (docs/changing-workflows.md#the-publish-gate). The other services are played by run events
 * on the in-process transport: a live run a reviewer rejected, and each candidate's backtest
 * run — one proposing the rejected write again (a regression), one that does not.
 */
describe('trigger service: candidate versions and the publish gate (in-process transport, real Postgres)', () => {
  let service: InProcessService;
  let answers: DocumentedAnswers;

  const call = (path: string, body?: unknown, role: 'admin' | 'reviewer' | 'publisher' = 'admin') =>
    fetch(`${service.running.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json', ...bearer(role) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
  const definition = (version: number, changes: Record<string, unknown> = {}) => ({
    ...billing,
    version,
    publish: GATE,
    ...changes,
  });
  const publish = (document: Record<string, unknown>, query = '') =>
    fetch(`${service.running.url}/v1/workflows${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml', ...bearer('admin') },
      body: stringify(document),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
  const promote = (version: number, body: unknown = {}) =>
    call(`/v1/workflows/billing-dispute/versions/${version}/promote`, body);
  const event = (runId: string, version: number, e: Parameters<typeof runEventFor>[1]): RunEvent =>
    runEventFor({ runId, workflow: { id: 'billing-dispute', version }, tenantId: 'acme' }, e);
  const send = (...events: RunEvent[]) =>
    Promise.all(events.map((e) => service.publish(service.names.runEvents, e)));
  const versionOfNewRun = async () => {
    const response = await postTrigger(service.running.url, aTriggerEvent(uuidv7()));
    const { runId } = (await response.json()) as { runId: string };
    const [row] = await service.dataSource.query<Array<{ v: number }>>(
      `SELECT workflow_version AS v FROM runs WHERE id = $1`,
      [runId],
    );
    return row!.v;
  };
  /** Backtests `version` against v1 and plays its one run: `proposes` the write it would make. */
  const backtest = async (version: number, proposes: typeof REJECTED | null) => {
    const started = await call('/v1/workflows/billing-dispute/backtests', { version, since: '1h' });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(started.body).toMatchObject({ against: 1, runs: 1 });
    const backtestId = String(started.body['backtestId']);
    const runId = await expectEventually(async () => {
      const [row] = await service.dataSource.query<Array<{ run_id: string | null }>>(
        `SELECT run_id FROM backtest_runs WHERE backtest_id = $1`,
        [backtestId],
      );
      expect(row?.run_id).toBeTruthy();
      return row!.run_id!;
    });
    const now = new Date().toISOString();
    await send(
      ...(proposes
        ? [
            event(runId, version, {
              type: 'step.finished',
              step: {
                name: 'act',
                kind: 'action',
                seq: 4,
                attempt: 1,
                envelopeId: uuidv7(),
                startedAt: now,
                finishedAt: now,
                outcome: 'simulated',
                output: proposes,
              },
            }),
          ]
        : []),
    );
    await send(event(runId, version, { type: 'run.ended', status: 'completed', reason: 'done' }));
    await expectEventually(async () => {
      const report = await call(`/v1/backtests/${backtestId}`, undefined, 'reviewer');
      expect(report.body['status']).toBe('finished');
    });
    return backtestId;
  };

  beforeAll(async () => {
    service = await startServiceInProcess(triggerService, {
      env: {
        BATON_API_KEYS: testApiKeysSetting(),
        BATON_SCHEDULE_TICK_MS: '3600000',
        BATON_BACKTEST_TICK_MS: '100',
      },
    });
    answers = await documentedAnswers(service.running.url);
    // A live run of v1 (bundled) whose proposal a reviewer rejected.
    const response = await postTrigger(
      service.running.url,
      aTriggerEvent(uuidv7(), { workflowVersion: 1 }),
    );
    const { runId } = (await response.json()) as { runId: string };
    await send(event(runId, 1, { type: 'run.waiting', reason: 'needs approval' }));
    await send(
      event(runId, 1, { type: 'run.resumed', review: { outcome: 'rejected', proposed: REJECTED } }),
    );
    await send(event(runId, 1, { type: 'run.ended', status: 'rejected', reason: 'rejected' }));
    await expectEventually(async () => {
      const [row] = await service.dataSource.query<Array<{ status: string }>>(
        `SELECT status FROM runs WHERE id = $1`,
        [runId],
      );
      expect(row!.status).toBe('rejected');
    });
  }, 60_000);
  afterAll(() => service?.close());

  it('refuses a gated definition live over a live version, and publishes it as a candidate new runs do not start', async () => {
    const live = await publish(definition(2));
    expect(live.status).toBe(409);
    expect(live.body['error']).toBe('publish-gate-required');
    expect(String(live.body['message'])).toMatch(/publish it as a candidate/);

    const candidate = await publish(definition(2), '?candidate=true');
    expect(candidate.status, JSON.stringify(candidate.body)).toBe(201);
    expect(candidate.body).toMatchObject({ version: 2, candidate: true, latest: false });
    const v1 = await call('/v1/workflows/billing-dispute/versions/1', undefined, 'reviewer');
    expect(v1.body).toMatchObject({ latest: true, candidate: false });
    expect(await versionOfNewRun()).toBe(1);

    // Other content under the candidate's number names the next free version, candidates counted.
    const taken = await publish(
      definition(2, { owner: 'someone@acme.example' }),
      '?candidate=true',
    );
    expect(taken.status).toBe(409);
    expect(String(taken.body['message'])).toMatch(/publish this one as version 3$/);
    expect((await publish(definition(2), '?candidate=maybe')).status).toBe(400);
  });

  it('refuses to promote a candidate that regresses, with the gate report', async () => {
    const none = await promote(2);
    expect(none.status).toBe(409);
    expect(none.body).toMatchObject({
      error: 'publish-gate-failed',
      gate: {
        met: false,
        against: 1,
        requirements: [{ requirement: 'backtest', met: false, backtestId: null }],
      },
    });

    const backtestId = await backtest(2, REJECTED);
    const refused = await promote(2);
    expect(refused.status).toBe(409);
    expect(refused.body['problems']).toEqual([
      `backtest: backtest ${backtestId} against version 1: agreementRate 0 (at least 0.9)`,
    ]);
    expect(refused.body['gate']).toEqual({
      met: false,
      against: 1,
      requirements: [
        {
          requirement: 'backtest',
          met: false,
          summary: `backtest ${backtestId} against version 1: agreementRate 0 (at least 0.9)`,
          backtestId,
          caseResultId: null,
          measures: [
            { name: 'agreementRate', measured: 0, threshold: 0.9, bound: 'at-least', met: false },
            { name: 'newRefusedWrites', measured: 0, threshold: 0, bound: 'at-most', met: true },
            { name: 'runs', measured: 1, threshold: 1, bound: 'at-least', met: true },
          ],
        },
      ],
    });
    expect(await versionOfNewRun()).toBe(1);
  });

  it('promotes a candidate that does not regress: new runs start it', async () => {
    expect((await publish(definition(3, { manualMinutes: 9 }), '?candidate=true')).status).toBe(
      201,
    );
    const backtestId = await backtest(3, null);
    const promoted = await promote(3);
    expect(promoted.status, JSON.stringify(promoted.body)).toBe(200);
    expect(
      answers.problems('post', '/v1/workflows/{id}/versions/{version}/promote', 200, promoted.body),
    ).toEqual([]);
    expect(promoted.body).toMatchObject({
      version: 3,
      promoted: true,
      candidate: false,
      latest: true,
      promotedBy: 'admin-1',
      overrideReason: null,
      gate: { met: true, against: 1, requirements: [{ met: true, backtestId }] },
    });
    expect(await versionOfNewRun()).toBe(3);
    // Live already: nothing to do. Below the live version: refused.
    expect(await promote(3)).toMatchObject({ status: 200, body: { promoted: false, gate: null } });
    expect(await promote(2)).toMatchObject({
      status: 409,
      body: { error: 'candidate-superseded' },
    });
    expect((await call('/v1/workflows/billing-dispute/versions/9/promote', {})).status).toBe(404);
  });

  it('lets an admin override a failed gate with a reason, recorded on the version', async () => {
    expect((await publish(definition(4, { manualMinutes: 4 }), '?candidate=true')).status).toBe(
      201,
    );
    expect((await promote(4, { override: { reason: '' } })).status).toBe(400);
    expect(
      (await call('/v1/workflows/billing-dispute/versions/4/promote', {}, 'publisher')).status,
    ).toBe(403);
    const overridden = await promote(4, { override: { reason: 'hotfix for INC-42' } });
    expect(overridden.status, JSON.stringify(overridden.body)).toBe(200);
    expect(overridden.body).toMatchObject({
      promoted: true,
      promotedBy: 'admin-1',
      overrideReason: 'hotfix for INC-42',
      gate: { met: false, against: 3 },
    });
    const version = await call('/v1/workflows/billing-dispute/versions/4', undefined, 'reviewer');
    expect(version.body).toMatchObject({
      latest: true,
      candidate: false,
      promotedBy: 'admin-1',
      overrideReason: 'hotfix for INC-42',
    });
    expect(await versionOfNewRun()).toBe(4);
  });

  it('records case results for a version and gates on them', async () => {
    const document = definition(5, { publish: { requires: ['cases'] } });
    const published = await publish(document, '?candidate=true');
    expect(published.status).toBe(201);
    const digest = String(published.body['digest']);
    expect(digest).toBe(workflowDigest(JSON.parse(JSON.stringify(document))));
    const path = '/v1/workflows/billing-dispute/versions/5/case-results';
    const mismatch = await call(
      path,
      { digest: '0'.repeat(64), cases: [{ name: 'a', passed: true }] },
      'publisher',
    );
    expect(mismatch).toMatchObject({ status: 409, body: { error: 'definition-mismatch' } });
    expect((await call(path, { digest, cases: [] }, 'publisher')).status).toBe(400);

    const failing = await call(
      path,
      {
        digest,
        cases: [
          { name: 'angry', passed: true },
          { name: 'small', passed: false },
        ],
      },
      'publisher',
    );
    expect(failing.status, JSON.stringify(failing.body)).toBe(201);
    expect(
      answers.problems(
        'post',
        '/v1/workflows/{id}/versions/{version}/case-results',
        201,
        failing.body,
      ),
    ).toEqual([]);
    expect(failing.body).toMatchObject({ passed: 1, failed: 1, recordedBy: 'publisher-1' });
    const refused = await promote(5);
    expect(refused.status).toBe(409);
    expect(refused.body['problems']).toEqual(['cases: 1 of 2 cases failed']);

    const passing = await call(
      path,
      {
        digest,
        cases: [
          { name: 'angry', passed: true },
          { name: 'small', passed: true },
        ],
      },
      'publisher',
    );
    const promoted = await promote(5);
    expect(promoted.status, JSON.stringify(promoted.body)).toBe(200);
    expect(promoted.body).toMatchObject({
      gate: {
        met: true,
        requirements: [{ requirement: 'cases', met: true, caseResultId: passing.body['id'] }],
      },
    });
  });

  it("holds a version that leaves the gate out to the live version's gate", async () => {
    // v5 is live with its cases gate; v6 declares none.
    const { publish: _dropped, ...withoutGate } = definition(6);
    const plain = await publish(withoutGate);
    expect(plain).toMatchObject({ status: 409, body: { error: 'publish-gate-required' } });
    expect((await publish(withoutGate, '?candidate=true')).status).toBe(201);
    const refused = await promote(6);
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(refused.body['problems']).toEqual([
      'cases: no case results recorded for this version (baton cases records them)',
    ]);
    expect(await versionOfNewRun()).toBe(5);
  });
});
