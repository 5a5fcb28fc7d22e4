// Test-only: a task row as the store returns it, for unit tests of pure task code.
import { aContextEnvelope, nextStep } from '@baton/contracts';
import type { TaskRow } from '../domain/task.js';

export const TASK_CREATED_AT = new Date('2026-01-01T10:00:00Z');

/** An open task in queue billing, created at TASK_CREATED_AT with a 240-minute SLA. */
export function aTaskRow(overrides: Partial<TaskRow> = {}): TaskRow {
  const context = aContextEnvelope();
  const envelope = nextStep(
    context,
    { name: 'escalate', kind: 'escalation' },
    {
      kind: 'escalation',
      state: { trigger: context.payload.trigger, evidence: [], weakEvidence: false, history: [] },
      reason: 'credits above 100 need a reviewer',
    },
  );
  return {
    id: '019b7a5e-0000-7000-8000-000000000001',
    source_envelope_id: envelope.envelopeId,
    run_id: envelope.runId,
    workflow_id: 'billing-dispute',
    workflow_version: 1,
    tenant_id: 'acme',
    queue: 'billing',
    status: 'open',
    reason: 'credits above 100 need a reviewer',
    proposal: null,
    state: envelope.payload.state,
    envelope,
    created_at: TASK_CREATED_AT,
    sla_due_at: new Date(TASK_CREATED_AT.getTime() + 240 * 60_000),
    escalated_at: null,
    chain_step: 0,
    moves: [],
    outcome: null,
    reviewer_name: null,
    reviewer_role: null,
    decided_at: null,
    review: null,
    closed_reason: null,
    closed_at: null,
    highlights: [],
    claimed_by: null,
    claimed_role: null,
    claimed_at: null,
    claimed_until: null,
    ...overrides,
  };
}
