import { describe, expect, it } from 'vitest';
import { aContextEnvelope, aDecisionEnvelope } from '../examples/envelope.examples.js';
import { decodeStepEnvelope, nextStep } from './step-envelope.js';

const roundTrip = (value: unknown) => decodeStepEnvelope(JSON.parse(JSON.stringify(value)));

describe('decodeStepEnvelope', () => {
  it('accepts a well-formed envelope of each shape and types its payload by step kind', () => {
    const context = aContextEnvelope();
    const decision = aDecisionEnvelope(context);
    const decoded = roundTrip(decision);
    expect(decoded.ok).toBe(true);
    if (
      decoded.ok &&
      decoded.value.step.kind === 'decision' &&
      decoded.value.payload.kind === 'decision'
    ) {
      expect(decoded.value.payload.state.weakEvidence).toBe(true);
    }
    expect(roundTrip(context).ok).toBe(true);
  });

  it('names every missing or malformed field by its path', () => {
    const envelope = aContextEnvelope() as unknown as Record<string, unknown>;
    const broken = {
      ...envelope,
      runId: 'not-a-uuid',
      step: { name: 'x', kind: 'context', seq: -1, attempt: 1 },
      payload: { kind: 'context', trigger: { eventType: 'e', data: {}, receivedAt: 'yesterday' } },
    };
    delete (broken as Record<string, unknown>)['tenantId'];
    const decoded = roundTrip(broken);
    expect(decoded.ok).toBe(false);
    if (decoded.ok) return;
    expect(decoded.errors).toEqual(
      expect.arrayContaining([
        'runId: runId must be a UUIDv7',
        'tenantId: is required',
        'step.seq: seq must not be less than 0',
        'payload.trigger.idempotencyKey: is required',
        expect.stringMatching(/^payload\.trigger\.receivedAt: /),
      ]),
    );
  });

  it('accepts evidence whose content is null (a failed or empty source) but not one without content', () => {
    const decision = aDecisionEnvelope(aContextEnvelope());
    const withContent = (content: unknown) => ({
      ...decision,
      payload: {
        ...decision.payload,
        state: {
          ...decision.payload.state,
          evidence: [
            { source: 'customer', kind: 'record', content, weak: true, note: 'no row matched' },
          ],
        },
      },
    });
    expect(roundTrip(withContent(null))).toMatchObject({ ok: true });
    const missing = withContent(undefined);
    expect(roundTrip(missing)).toEqual({
      ok: false,
      errors: ['payload.state.evidence.0.content: is required'],
    });
  });

  it('rejects another schema version with a message that says which it reads', () => {
    const decoded = roundTrip({ ...aContextEnvelope(), schemaVersion: 2 });
    expect(decoded).toEqual({
      ok: false,
      errors: ['schemaVersion: this consumer reads version 1, got 2'],
    });
  });

  it('rejects a payload whose kind differs from the step kind', () => {
    const context = aContextEnvelope();
    const decoded = roundTrip({ ...context, step: { ...context.step, kind: 'decision' } });
    expect(decoded.ok).toBe(false);
  });

  it('chains envelopes: same run, next seq, caused by the previous, budget spent', () => {
    const first = aContextEnvelope();
    const second = nextStep(
      first,
      { name: 'decide', kind: 'decision' },
      aDecisionEnvelope(first).payload,
      {
        tokens: 1200,
        costUsd: 0.25,
      },
    );
    expect(second).toMatchObject({
      runId: first.runId,
      causationId: first.envelopeId,
      step: { seq: first.step.seq + 1, attempt: 1, kind: 'decision' },
      budget: {
        stepsLeft: first.budget.stepsLeft - 1,
        tokensLeft: first.budget.tokensLeft - 1200,
        costLeftUsd: 0.75,
      },
    });
    expect(second.envelopeId > first.envelopeId).toBe(true);
  });
});
