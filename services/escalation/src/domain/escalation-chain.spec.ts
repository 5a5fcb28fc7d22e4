import type { EscalationSpec } from '@baton/workflow';
import { describe, expect, it } from 'vitest';
import { TASK_CREATED_AT, aTaskRow } from '../testing/task-row.builder.js';
import {
  DEFAULT_FALLBACK_REASON,
  breachActionFor,
  breachEventReason,
  breachWhy,
  moveRecord,
} from './escalation-chain.js';

const minutes = (n: number) => new Date(TASK_CREATED_AT.getTime() + n * 60_000);
const chain: EscalationSpec = {
  queue: 'billing',
  slaMinutes: 240,
  onBreach: [
    {
      moveTo: 'billing-leads',
      slaMinutes: 60,
      notify: { webhook: 'https://hooks.acme.example/escalations' },
    },
    { slaMinutes: 30, notify: { webhook: 'https://pager.acme.example/x' } },
    { moveTo: 'finance-managers', slaMinutes: 120 },
  ],
  fallback: { action: 'reject', reason: 'Nobody decided.' },
};

describe(breachActionFor.name, () => {
  it('applies the steps in order, each with its queue, its new SLA and its webhook', () => {
    const now = minutes(241);
    expect(breachActionFor(aTaskRow(), chain, now)).toEqual({
      kind: 'step',
      step: 1,
      of: 3,
      from: 'billing',
      to: 'billing-leads',
      slaDueAt: new Date(now.getTime() + 60 * 60_000),
      webhook: 'https://hooks.acme.example/escalations',
      why: 'SLA of 240 min in queue billing passed (due 2026-01-01T14:00:00.000Z)',
    });
    // A step without moveTo keeps the task where it is.
    const second = breachActionFor(aTaskRow({ queue: 'billing-leads', chain_step: 1 }), chain, now);
    expect(second).toMatchObject({
      kind: 'step',
      step: 2,
      from: 'billing-leads',
      to: 'billing-leads',
    });
    const third = breachActionFor(aTaskRow({ queue: 'billing-leads', chain_step: 2 }), chain, now);
    expect(third).toMatchObject({ kind: 'step', step: 3, to: 'finance-managers' });
    expect(third).not.toHaveProperty('webhook');
  });

  it('applies the fallback after the last step, with its reason or the default', () => {
    const done = aTaskRow({ queue: 'finance-managers', chain_step: 3 });
    const now = minutes(600);
    expect(breachActionFor(done, chain, now)).toMatchObject({
      kind: 'reject',
      reason: 'Nobody decided.',
    });
    expect(breachActionFor(done, { ...chain, fallback: { action: 'cancel' } }, now)).toMatchObject({
      kind: 'cancel',
      reason: DEFAULT_FALLBACK_REASON,
    });
    expect(
      breachActionFor(done, { ...chain, fallback: { action: 'leave', queue: 'ops-backlog' } }, now),
    ).toMatchObject({ kind: 'leave', from: 'finance-managers', to: 'ops-backlog' });
    // Without a chain the fallback applies at the first breach.
    expect(
      breachActionFor(
        aTaskRow(),
        { queue: 'billing', slaMinutes: 240, fallback: { action: 'cancel' } },
        now,
      ),
    ).toMatchObject({ kind: 'cancel' });
  });

  it('only marks a task overdue when nothing (more) is declared', () => {
    const { fallback: _, ...noFallback } = chain;
    expect(breachActionFor(aTaskRow({ chain_step: 3 }), noFallback, minutes(600)).kind).toBe(
      'overdue',
    );
    expect(
      breachActionFor(aTaskRow(), { queue: 'billing', slaMinutes: 240 }, minutes(241)).kind,
    ).toBe('overdue');
  });
});

describe(breachWhy.name, () => {
  it('measures the SLA that passed from the last move, in the queue the task is in', () => {
    const moved = aTaskRow({
      queue: 'billing-leads',
      chain_step: 1,
      sla_due_at: minutes(301),
      moves: [
        {
          step: 1,
          from: 'billing',
          to: 'billing-leads',
          at: minutes(241).toISOString(),
          why: '…',
          slaDueAt: minutes(301).toISOString(),
        },
      ],
    });
    expect(breachWhy(moved)).toBe(
      `SLA of 60 min in queue billing-leads passed (due ${minutes(301).toISOString()})`,
    );
  });
});

describe(breachEventReason.name, () => {
  it('tells the run ledger where the task went, until when, and who is notified', () => {
    const task = aTaskRow();
    const action = breachActionFor(task, chain, minutes(241));
    if (action.kind !== 'step') throw new Error('a step');
    expect(breachEventReason(task, action)).toBe(
      `SLA breached: review task ${task.id}: SLA of 240 min in queue billing passed (due ${minutes(240).toISOString()}); escalation step 1 of 3: moved to queue billing-leads, due ${minutes(301).toISOString()}; notifying hooks.acme.example`,
    );
    const stay = breachActionFor(
      aTaskRow({ queue: 'billing-leads', chain_step: 1 }),
      chain,
      minutes(241),
    );
    if (stay.kind !== 'step') throw new Error('a step');
    expect(breachEventReason(task, stay)).toMatch(
      /; escalation step 2 of 3: stays in billing-leads, due .*; notifying pager\.acme\.example$/,
    );
  });
});

describe(moveRecord.name, () => {
  it('records the move with its new SLA and whose claim it released; a leave has no SLA', () => {
    const at = minutes(241);
    const step = breachActionFor(aTaskRow(), chain, at);
    if (step.kind !== 'step') throw new Error('a step');
    expect(moveRecord(step, at, 'rita')).toEqual({
      step: 1,
      from: 'billing',
      to: 'billing-leads',
      at: at.toISOString(),
      why: step.why,
      slaDueAt: minutes(301).toISOString(),
      releasedClaimOf: 'rita',
    });
    expect(moveRecord({ kind: 'leave', from: 'a', to: 'b', why: 'w' }, at, undefined)).toEqual({
      step: 'fallback',
      from: 'a',
      to: 'b',
      at: at.toISOString(),
      why: 'w',
      slaDueAt: null,
    });
  });
});
