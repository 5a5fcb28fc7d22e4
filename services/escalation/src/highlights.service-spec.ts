import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, startEscalation, type EscalationFixture } from './testing/escalation.fixture.js';

// The shipped billing-dispute workflow shows the reviewer first:
// [trigger.data.message, evidence.customer, args.amount].
describe('escalation service: escalation.show highlights (in-process transport, real Postgres)', () => {
  let esc: EscalationFixture;
  beforeAll(async () => {
    esc = await startEscalation();
  });
  afterAll(async () => {
    await esc?.close();
  });

  it("stores the workflow's highlights on the task, in order, and answers them in the task and the list", async () => {
    const envelope = await esc.escalate();
    const taskId = await esc.taskIdOf(envelope);
    const highlights = [
      { path: 'trigger.data.message', value: 'charged twice' },
      { path: 'evidence.customer', value: { id: 'cus_1001' } },
      { path: 'args.amount', value: 150 },
    ];

    const { status, body: task } = await esc.api('GET', `/v1/tasks/${taskId}`, KEYS.reviewer);
    expect(status).toBe(200);
    expect(task['highlights']).toEqual(highlights);

    const list = await esc.api('GET', '/v1/tasks?queue=billing&limit=200', KEYS.reviewer);
    const listed = (list.body['items'] as Array<{ id: string; highlights: unknown }>).find(
      (item) => item.id === taskId,
    );
    expect(listed?.highlights).toEqual(highlights);

    // Stored, not computed on reading: the task keeps what the run had when it escalated.
    const { dataSource } = esc;
    const [row] = (await dataSource.query('SELECT highlights FROM tasks WHERE id = $1', [
      taskId,
    ])) as Array<{ highlights: unknown }>;
    expect(row!.highlights).toEqual(highlights);
  });

  it('flags a value the run does not have as missing: an escalation without a proposal has no args', async () => {
    const envelope = await esc.escalate({ decision: null, reason: 'the model was unavailable' });
    const taskId = await esc.taskIdOf(envelope);
    const { body: task } = await esc.api('GET', `/v1/tasks/${taskId}`, KEYS.reviewer);
    expect(task['highlights']).toEqual([
      { path: 'trigger.data.message', value: 'charged twice' },
      { path: 'evidence.customer', value: { id: 'cus_1001' } },
      { path: 'args.amount', value: null, missing: true },
    ]);
  });
});
