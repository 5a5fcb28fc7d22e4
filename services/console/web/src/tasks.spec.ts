import { describe, expect, it } from 'vitest';
import { byQueue, inboxOrder, parseEdit, type TaskSummary } from './tasks.js';

const task = (id: string, fields: Partial<TaskSummary>): TaskSummary => ({
  id,
  runId: `run-${id}`,
  workflow: { id: 'billing-dispute', version: 1 },
  queue: 'billing',
  status: 'open',
  reason: 'needs approval',
  proposal: null,
  createdAt: '2026-12-01T10:00:00.000Z',
  slaDueAt: '2026-12-01T14:00:00.000Z',
  overdue: false,
  claimedBy: null,
  claimedUntil: null,
  highlights: [],
  ...fields,
});

describe('inboxOrder', () => {
  it('puts tasks past their SLA first, then the soonest SLA, then the oldest', () => {
    const tasks = [
      task('later-sla', { slaDueAt: '2026-12-01T16:00:00.000Z' }),
      task('no-sla', { slaDueAt: null, createdAt: '2026-11-01T00:00:00.000Z' }),
      task('newer-same-sla', { createdAt: '2026-12-01T11:00:00.000Z' }),
      task('overdue', { overdue: true, slaDueAt: '2026-12-01T09:00:00.000Z' }),
      task('older-same-sla', { createdAt: '2026-12-01T09:00:00.000Z' }),
    ];
    expect([...tasks].sort(inboxOrder).map((t) => t.id)).toEqual([
      'overdue',
      'older-same-sla',
      'newer-same-sla',
      'later-sla',
      'no-sla',
    ]);
  });
});

describe('byQueue', () => {
  it('groups tasks by queue, queues by name', () => {
    const groups = byQueue([
      task('a', { queue: 'support' }),
      task('b', { queue: 'billing' }),
      task('c', { queue: 'support', overdue: true }),
    ]);
    expect(groups.map((g) => [g.queue, g.tasks.map((t) => t.id)])).toEqual([
      ['billing', ['b']],
      ['support', ['c', 'a']],
    ]);
  });
});

describe('parseEdit', () => {
  it('reads an edit as the type of the value it replaces', () => {
    expect(parseEdit(120, ' 80 ')).toEqual({ ok: true, value: 80 });
    expect(parseEdit('inv_1', '42')).toEqual({ ok: true, value: '42' });
    expect(parseEdit({ a: 1 }, '{"a":2}')).toEqual({ ok: true, value: { a: 2 } });
    expect(parseEdit(true, 'false')).toEqual({ ok: true, value: false });
  });

  it('refuses what cannot be read as that type', () => {
    expect(parseEdit(120, 'eighty')).toEqual({ ok: false, problem: '"eighty" is not a number' });
    expect(parseEdit(120, '')).toEqual({ ok: false, problem: '"" is not a number' });
    expect(parseEdit({ a: 1 }, '{a:2}')).toEqual({ ok: false, problem: 'not valid JSON' });
  });
});
