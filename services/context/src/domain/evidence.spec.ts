import { describe, expect, it } from 'vitest';
import type { ContextSourceSpec } from '@baton/workflow';
import type { Passage } from '@baton/business';
import { summarize, toEvidence } from './evidence.js';

const customer = {
  name: 'customer',
  kind: 'sql',
  rows: 'one',
  timeoutMs: 2000,
  required: true,
} as ContextSourceSpec;
const optional = { ...customer, name: 'crm', required: false } as ContextSourceSpec;
const policy = {
  name: 'policy',
  kind: 'knowledge',
  collection: 'billing-policy',
  minScore: 0.05,
  timeoutMs: 2000,
  required: false,
} as ContextSourceSpec;
const passage = (id: string, score: number): Passage => ({
  id,
  title: id,
  body: '…',
  score,
  weak: score < 0.05,
});

describe(toEvidence.name, () => {
  it('turns a found record into trusted evidence', () => {
    expect(toEvidence(customer, { ok: true, content: { id: 'cus_1' }, found: true })).toEqual({
      source: 'customer',
      kind: 'record',
      content: { id: 'cus_1' },
      weak: false,
    });
  });

  it('flags a required source that found nothing as weak, with a note saying why', () => {
    expect(
      toEvidence(customer, { ok: true, content: null, found: false, detail: 'no row matched x' }),
    ).toEqual({
      source: 'customer',
      kind: 'record',
      content: null,
      weak: true,
      note: 'required source found nothing: no row matched x',
    });
  });

  it('flags a required source that failed or timed out as weak, with the reason', () => {
    expect(toEvidence(customer, { ok: false, reason: 'timed out after 2000 ms' })).toMatchObject({
      content: null,
      weak: true,
      note: 'required source timed out after 2000 ms',
    });
  });

  it('records an optional source that failed with a note, but does not make it weak', () => {
    expect(toEvidence(optional, { ok: false, reason: 'failed: HTTP 500' })).toMatchObject({
      weak: false,
      note: 'optional source failed: HTTP 500',
    });
  });

  it('keeps passages best first and is trusted when one reaches minScore', () => {
    const passages = [passage('p1', 0.2), passage('p2', 0.01)];
    expect(toEvidence(policy, { ok: true, content: passages, found: true })).toEqual({
      source: 'policy',
      kind: 'passage',
      ref: 'p1',
      content: passages,
      score: 0.2,
      weak: false,
    });
  });

  it('flags knowledge evidence as weak when every passage scores below minScore', () => {
    const passages = [passage('p1', 0.012345), passage('p2', 0.01)];
    expect(toEvidence(policy, { ok: true, content: passages, found: true })).toMatchObject({
      weak: true,
      score: 0.012345,
      note: 'no passage scored at least 0.05 (best 0.0123)',
    });
  });
});

describe(summarize.name, () => {
  it('reports each source as ok, weak or missing with its duration', () => {
    const gathered = [
      { evidence: toEvidence(customer, { ok: true, content: {}, found: true }), ms: 3 },
      { evidence: toEvidence(customer, { ok: false, reason: 'failed: boom' }), ms: 5 },
      { evidence: toEvidence(optional, { ok: false, reason: 'failed: boom' }), ms: 7 },
    ];
    gathered[1]!.evidence.source = 'invoices';
    expect(summarize(gathered)).toEqual({
      sources: {
        customer: { status: 'ok', ms: 3 },
        invoices: { status: 'weak', ms: 5, note: 'required source failed: boom' },
        crm: { status: 'missing', ms: 7, note: 'optional source failed: boom' },
      },
    });
  });

  it('marks a source that could not answer as failed: its silence says nothing about the business', () => {
    const failed = toEvidence(customer, {
      ok: false,
      reason: 'failed: relation "billing.customerz" does not exist (SQLSTATE 42P01)',
      failed: true,
    });
    expect(failed).toEqual({
      source: 'customer',
      kind: 'record',
      content: null,
      weak: true,
      failed: true,
      note: 'required source failed: relation "billing.customerz" does not exist (SQLSTATE 42P01)',
    });
    expect(summarize([{ evidence: failed, ms: 3 }])).toMatchObject({
      sources: { customer: { status: 'failed' } },
    });
    // A parameter the trigger lacks is nothing to look up, not a failure.
    expect(
      toEvidence(customer, { ok: false, reason: 'was not queried: x is missing' }).failed,
    ).toBeUndefined();
  });
});
