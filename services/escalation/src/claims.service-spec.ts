import { expectEventually } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KEYS,
  OTHER_REVIEWER_KEY,
  startEscalation,
  type EscalationFixture,
} from './testing/escalation.fixture.js';

const CLAIM_MINUTES = 30; // BATON_CLAIM_MINUTES' default

describe('escalation service: claims (in-process transport, real Postgres)', () => {
  let esc: EscalationFixture;
  beforeAll(async () => {
    // The tests move the clock; no SLA sweep of its own gets in between.
    esc = await startEscalation({ env: { BATON_SLA_SWEEP_INTERVAL_MS: '3600000' } });
  });
  afterAll(async () => {
    await esc?.close();
  });

  const open = async () => {
    esc.clock.offsetMs = 0;
    const envelope = await esc.escalate();
    return { envelope, taskId: await esc.taskIdOf(envelope) };
  };
  const post = (taskId: string, action: string, key?: string, body?: unknown) =>
    esc.api('POST', `/v1/tasks/${taskId}/${action}`, key, body);
  const task = async (taskId: string) =>
    (await esc.api('GET', `/v1/tasks/${taskId}`, KEYS.reviewer)).body;

  it('claims a task for its caller: others are refused 409 naming who and until when; the claimant decides', async () => {
    const { envelope, taskId } = await open();
    const before = esc.clock.now().getTime();
    const claimed = await post(taskId, 'claim', KEYS.reviewer);
    const after = esc.clock.now().getTime();
    expect(claimed.status).toBe(200);
    expect(claimed.body).toMatchObject({ id: taskId, status: 'open', claimedBy: 'reviewer-user' });
    const until = Date.parse(claimed.body['claimedUntil'] as string);
    expect(until).toBeGreaterThanOrEqual(before + CLAIM_MINUTES * 60_000);
    expect(until).toBeLessThanOrEqual(after + CLAIM_MINUTES * 60_000);
    const claimedUntil = claimed.body['claimedUntil'] as string;

    // Shown in the task and in the list.
    expect(await task(taskId)).toMatchObject({ claimedBy: 'reviewer-user', claimedUntil });
    const listed = await esc.api('GET', `/v1/tasks?runId=${envelope.runId}`, KEYS.reviewer);
    expect(listed.body['items']).toEqual([
      expect.objectContaining({ id: taskId, claimedBy: 'reviewer-user', claimedUntil }),
    ]);

    // Another reviewer may not claim, decide or release it.
    const message = `task ${taskId} is claimed by reviewer-user until ${claimedUntil}; until then only reviewer-user (or an admin) may decide or release it`;
    for (const [action, body] of [
      ['claim', undefined],
      ['approve', {}],
      ['reject', { reason: 'not ours' }],
      ['release', undefined],
    ] as const) {
      const refused = await post(taskId, action, OTHER_REVIEWER_KEY, body);
      expect(refused, action).toMatchObject({
        status: 409,
        body: { statusCode: 409, error: 'task-claimed', message, problems: [message] },
      });
    }
    expect(await task(taskId)).toMatchObject({ status: 'open', claimedBy: 'reviewer-user' });

    // Claiming again renews; the claimant's decision goes through.
    esc.clock.offsetMs = 10 * 60_000;
    const renewed = await post(taskId, 'claim', KEYS.reviewer);
    expect(Date.parse(renewed.body['claimedUntil'] as string)).toBeGreaterThan(until);
    const rejected = await post(taskId, 'reject', KEYS.reviewer, { reason: 'Separate order.' });
    expect(rejected).toMatchObject({
      status: 200,
      body: { status: 'rejected', claimedBy: null, decision: { reason: 'Separate order.' } },
    });
    await expectEventually(() => expect(esc.decisionsOf(envelope.runId)).toHaveLength(1));
    esc.clock.offsetMs = 0;
    // A decided task cannot be claimed.
    expect(await post(taskId, 'claim', OTHER_REVIEWER_KEY)).toMatchObject({
      status: 409,
      body: { error: 'task-not-open' },
    });
  });

  it('lets an admin decide a task someone else claimed, and records the override', async () => {
    const { envelope, taskId } = await open();
    const claimed = await post(taskId, 'claim', KEYS.reviewer);
    const claimedUntil = claimed.body['claimedUntil'] as string;
    const approved = await post(taskId, 'approve', KEYS.admin, { note: 'on call' });
    expect(approved).toMatchObject({
      status: 200,
      body: {
        status: 'approved',
        decision: {
          reviewer: { name: 'admin-user', role: 'admin' },
          claimOverridden: { claimedBy: 'reviewer-user', claimedUntil },
        },
      },
    });
    const [resumed] = await expectEventually(() => {
      const found = esc.decisionsOf(envelope.runId);
      expect(found).toHaveLength(1);
      return found;
    });
    expect(resumed!.payload.state.history.at(-1)?.output).toMatchObject({
      reviewer: { name: 'admin-user' },
      claimOverridden: { claimedBy: 'reviewer-user', claimedUntil },
    });
  });

  it('releases a claim, after which anyone may claim or decide; an admin may take a claim over', async () => {
    const { taskId } = await open();
    expect((await post(taskId, 'claim', KEYS.reviewer)).status).toBe(200);
    const released = await post(taskId, 'release', KEYS.reviewer);
    expect(released).toMatchObject({ status: 200, body: { claimedBy: null, claimedUntil: null } });
    // Releasing a task nobody holds changes nothing.
    expect((await post(taskId, 'release', OTHER_REVIEWER_KEY)).status).toBe(200);

    const other = await post(taskId, 'claim', OTHER_REVIEWER_KEY);
    expect(other).toMatchObject({ status: 200, body: { claimedBy: 'other-reviewer' } });
    const admin = await post(taskId, 'claim', KEYS.admin);
    expect(admin).toMatchObject({ status: 200, body: { claimedBy: 'admin-user' } });
    expect((await post(taskId, 'release', KEYS.reviewer)).status).toBe(409);
    expect((await post(taskId, 'release', KEYS.admin)).status).toBe(200);
    // Unclaimed, a task is decided directly, as without claims.
    expect((await post(taskId, 'approve', OTHER_REVIEWER_KEY, {})).status).toBe(200);
  });

  it('gives one of two reviewers claiming at once the task, the other a 409', async () => {
    const { taskId } = await open();
    const answers = await Promise.all([
      post(taskId, 'claim', KEYS.reviewer),
      post(taskId, 'claim', OTHER_REVIEWER_KEY),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const winner = answers.find((a) => a.status === 200)!.body['claimedBy'];
    expect((await task(taskId))['claimedBy']).toBe(winner);
  });

  it('lets a claim expire: past its time it counts as none', async () => {
    const { taskId } = await open();
    const claimed = await post(taskId, 'claim', KEYS.reviewer);
    const until = Date.parse(claimed.body['claimedUntil'] as string);
    try {
      esc.clock.offsetMs = until - Date.now() - 60_000; // a minute before it ends
      expect(await task(taskId)).toMatchObject({ claimedBy: 'reviewer-user' });
      expect((await post(taskId, 'approve', OTHER_REVIEWER_KEY, {})).status).toBe(409);

      esc.clock.offsetMs = until - Date.now() + 1_000; // just past it
      expect(await task(taskId)).toMatchObject({ claimedBy: null, claimedUntil: null });
      const listed = await esc.api('GET', `/v1/tasks/${taskId}`, OTHER_REVIEWER_KEY);
      expect(listed.body['claimedBy']).toBeNull();
      expect(await post(taskId, 'claim', OTHER_REVIEWER_KEY)).toMatchObject({
        status: 200,
        body: { claimedBy: 'other-reviewer' },
      });
      const approved = await post(taskId, 'approve', OTHER_REVIEWER_KEY, {});
      expect(approved).toMatchObject({ status: 200, body: { status: 'approved' } });
    } finally {
      esc.clock.offsetMs = 0;
    }
  });

  it('answers 404 for an unknown task and 403 for a publisher', async () => {
    const unknown = '0190a000-0000-7000-8000-000000000000';
    expect(await post(unknown, 'claim', KEYS.reviewer)).toMatchObject({
      status: 404,
      body: { error: 'task-not-found' },
    });
    expect((await post('nope', 'release', KEYS.reviewer)).status).toBe(404);
    const { taskId } = await open();
    expect((await post(taskId, 'claim', KEYS.publisher)).status).toBe(403);
    expect((await post(taskId, 'claim')).status).toBe(401);
  });
});
