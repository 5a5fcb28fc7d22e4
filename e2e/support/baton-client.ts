import { bearer, expectEventually, type TEST_KEYS } from '@baton/testing';
import type { BatonSystem } from './baton-system.js';

type Role = keyof typeof TEST_KEYS;

export interface RunView {
  id: string;
  status: string;
  reason: string | null;
  workflow: { id: string; version: number };
  steps: Array<{
    name: string;
    kind: string;
    seq: number;
    outcome: string;
    input: unknown;
    output: Record<string, unknown> | null;
  }>;
}

export interface TaskView {
  id: string;
  runId: string;
  status: string;
  reason: string;
  proposal?: { tool?: string; args?: Record<string, unknown> };
  decidedBy?: unknown;
  [key: string]: unknown;
}

/** The HTTP APIs of a running system, as an upstream system and a reviewer use them. */
export class BatonClient {
  constructor(private readonly system: BatonSystem) {}

  async trigger(
    event: unknown,
    role: Role | null = 'publisher',
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${this.system.url('trigger')}/v1/triggers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(role ? bearer(role) : {}) },
      body: typeof event === 'string' ? event : JSON.stringify(event),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async run(runId: string): Promise<RunView> {
    const response = await fetch(`${this.system.url('trigger')}/v1/runs/${runId}`, {
      headers: bearer('reviewer'),
    });
    if (response.status !== 200) throw new Error(`GET run ${runId}: ${response.status}`);
    return (await response.json()) as RunView;
  }

  /** Waits until the run reaches one of `statuses`; returns it. */
  waitForRun(runId: string, statuses: string[], timeoutMs = 60_000): Promise<RunView> {
    return expectEventually(
      async () => {
        const run = await this.run(runId);
        if (!statuses.includes(run.status))
          throw new Error(`run ${runId} is ${run.status}, waiting for ${statuses.join('|')}`);
        return run;
      },
      { timeoutMs, intervalMs: 100 },
    );
  }

  async tasks(query = 'status=open'): Promise<TaskView[]> {
    const response = await fetch(`${this.system.url('escalation')}/v1/tasks?${query}`, {
      headers: bearer('reviewer'),
    });
    const body = (await response.json()) as { items: TaskView[] };
    return body.items;
  }

  waitForTask(runId: string, timeoutMs = 60_000): Promise<TaskView> {
    return expectEventually(
      async () => {
        const task = (await this.tasks('status=open&limit=200')).find((t) => t.runId === runId);
        if (!task) throw new Error(`no open task for run ${runId}`);
        return task;
      },
      { timeoutMs, intervalMs: 100 },
    );
  }

  async task(id: string): Promise<TaskView> {
    const response = await fetch(`${this.system.url('escalation')}/v1/tasks/${id}`, {
      headers: bearer('reviewer'),
    });
    return (await response.json()) as TaskView;
  }

  async decide(
    id: string,
    verdict: 'approve' | 'reject',
    body: Record<string, unknown>,
    role: Role | null = 'reviewer',
  ) {
    const response = await fetch(`${this.system.url('escalation')}/v1/tasks/${id}/${verdict}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(role ? bearer(role) : {}) },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }
}

let counter = 0;

/** A billing-dispute trigger event with a fresh idempotency key. */
export function disputeEvent(
  data: Record<string, unknown>,
  overrides: Record<string, unknown> = {},
) {
  counter += 1;
  return {
    schemaVersion: 1,
    idempotencyKey: `e2e-${process.pid}-${Date.now()}-${counter}`,
    workflowId: 'billing-dispute',
    // Effect limits count per tenant across runs (one credit per invoice): a tenant per event
    // keeps each test's credits from limiting another's.
    tenantId: `acme-${process.pid}-${counter}`,
    eventType: 'support.ticket.created',
    source: 'e2e',
    data,
    ...overrides,
  };
}

/** The model's decision that a message is not a billing dispute: the run fails. */
export function notADisputeDecision() {
  return {
    json: {
      next: 'fail',
      label: 'not-a-dispute',
      confidence: 0.95,
      rationale: 'Not a billing dispute: the customer asks about shipping.',
    },
  };
}

/** What the scripted model answers when it decides to credit. */
export function creditDecision(invoiceId: string, amount: number, customerId = 'cus_1001') {
  return {
    json: {
      next: 'act',
      tool: 'issue-credit',
      args: { customerId, invoiceId, amount, reason: 'duplicate charge' },
      label: 'duplicate-charge',
      confidence: 0.93,
      rationale: 'The November invoice was charged twice; policy credits the duplicate in full.',
    },
  };
}
