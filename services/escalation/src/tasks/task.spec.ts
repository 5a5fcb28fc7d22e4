import { aContextEnvelope, nextStep } from '@baton/contracts';
import { describe, expect, it } from 'vitest';
import { toDetail, type TaskRow } from './task.js';

const context = aContextEnvelope();
const envelope = nextStep(
  context,
  { name: 'escalate', kind: 'escalation' },
  {
    kind: 'escalation',
    state: {
      trigger: context.payload.trigger,
      evidence: [{ source: 'customer', kind: 'record', content: null, weak: true, note: 'none' }],
      weakEvidence: true,
      history: [],
    },
    reason: 'unknown customer',
  },
);
const created = new Date('2026-01-01T10:00:00Z');
const row: TaskRow = {
  id: '019b7a5e-0000-7000-8000-000000000001',
  source_envelope_id: envelope.envelopeId,
  run_id: envelope.runId,
  workflow_id: 'billing-dispute',
  workflow_version: 1,
  tenant_id: 'acme',
  queue: 'billing',
  status: 'open',
  reason: 'unknown customer',
  proposal: null,
  state: envelope.payload.state,
  envelope,
  created_at: created,
  sla_due_at: new Date(created.getTime() + 240 * 60_000),
  escalated_at: null,
  outcome: null,
  reviewer_name: null,
  reviewer_role: null,
  decided_at: null,
  review: null,
  closed_reason: null,
  closed_at: null,
  highlights: [],
  chain_step: 0,
  moves: [],
  claimed_by: null,
  claimed_role: null,
  claimed_at: null,
  claimed_until: null,
};

describe('task views', () => {
  it('flags an open task overdue once its SLA passed, and a decided one never', () => {
    expect(toDetail(row, new Date(created.getTime() + 239 * 60_000)).overdue).toBe(false);
    expect(toDetail(row, new Date(created.getTime() + 240 * 60_000)).overdue).toBe(true);
    expect(toDetail({ ...row, status: 'rejected' }, new Date('2027-01-01')).overdue).toBe(false);
  });

  it('shows the reviewer the trigger, the evidence with its weak flags and where it escalated', () => {
    const detail = toDetail(row, created);
    expect(detail).toMatchObject({
      escalatedFrom: { step: 'escalate', seq: 1 },
      trigger: context.payload.trigger,
      weakEvidence: true,
      evidence: [{ source: 'customer', weak: true, note: 'none' }],
      decision: null,
    });
  });
});
