import { ConfigError } from '@baton/config';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DecisionConfig } from '../config/decision.config.js';
import {
  ModelAdmission,
  WINDOW_MS,
  admissionLimitsOf,
  parsePerModel,
  type AdmissionPermit,
} from './model-admission.js';

const perModel = (byModel: Record<string, number>, otherwise = 0) => ({
  byModel: new Map(Object.entries(byModel)),
  otherwise,
});
const NONE = perModel({});

/** Whether a promise has settled, after the microtasks queued so far ran. */
async function settledYet(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await vi.advanceTimersByTimeAsync(0);
  return settled;
}

describe('parsePerModel', () => {
  it('reads model=limit entries, *=limit for the rest, and a bare limit for every model', () => {
    expect(parsePerModel('X', ['gpt-4.1-mini=8', 'gpt-4.1=2', '*=4'])).toEqual({
      ok: true,
      value: perModel({ 'gpt-4.1-mini': 8, 'gpt-4.1': 2 }, 4),
    });
    expect(parsePerModel('X', ['3'])).toEqual({ ok: true, value: perModel({}, 3) });
    expect(parsePerModel('X', [])).toEqual({ ok: true, value: NONE });
  });

  it('names every entry it cannot read', () => {
    expect(parsePerModel('X', ['gpt=many', '=2', 'gpt=-1', 'ok=1'])).toEqual({
      ok: false,
      problems: [
        'X: "gpt=many" is not model=limit (a whole number, 0 for no limit), *=limit or a bare limit',
        'X: "=2" is not model=limit (a whole number, 0 for no limit), *=limit or a bare limit',
        'X: "gpt=-1" is not model=limit (a whole number, 0 for no limit), *=limit or a bare limit',
      ],
    });
  });

  it('stops the start with a ConfigError naming both settings', () => {
    const config = {
      modelMaxConcurrent: ['x'],
      modelTokensPerMinute: ['m=1.5'],
    } as DecisionConfig;
    expect(() => admissionLimitsOf(config)).toThrow(ConfigError);
    expect(() => admissionLimitsOf(config)).toThrow(
      /BATON_MODEL_MAX_CONCURRENT.*\n.*BATON_MODEL_TOKENS_PER_MINUTE/,
    );
  });
});

describe('ModelAdmission', () => {
  let now = 0;
  beforeEach(() => {
    vi.useFakeTimers();
    now = 0;
  });
  afterEach(() => vi.useRealTimers());
  const clock = () => now;
  const advance = async (ms: number) => {
    now += ms;
    await vi.advanceTimersByTimeAsync(ms);
  };

  it('lets everything through without limits', async () => {
    const admission = new ModelAdmission();
    const permits = await Promise.all([1, 2, 3].map(() => admission.admit('m', 1_000_000)));
    expect(admission.stats('m')).toMatchObject({ inFlight: 3, waiting: 0 });
    permits.forEach((permit) => permit.settle(10));
    expect(admission.stats('m')).toMatchObject({ inFlight: 0, peakInFlight: 3 });
  });

  it('keeps at most maxConcurrent calls of a model in flight, in order of arrival, each model apart', async () => {
    const admission = new ModelAdmission(
      { maxConcurrent: perModel({ small: 2 }, 1), tokensPerMinute: NONE },
      clock,
    );
    const first = await admission.admit('small', 10);
    const second = await admission.admit('small', 10);
    const third = admission.admit('small', 10);
    const fourth = admission.admit('small', 10);
    const other = await admission.admit('other', 10); // its own limit (*=1)
    expect(await settledYet(third)).toBe(false);
    expect(admission.stats('small')).toMatchObject({ inFlight: 2, waiting: 2 });

    first.settle(10);
    expect(await settledYet(third)).toBe(true);
    expect(await settledYet(fourth)).toBe(false);
    second.settle(10);
    expect(await settledYet(fourth)).toBe(true);
    expect(admission.stats('small')).toMatchObject({ inFlight: 2, waiting: 0, peakInFlight: 2 });
    other.settle(0);
  });

  it('keeps the tokens of a rolling minute under tokensPerMinute, counting what a call reserved until it returns', async () => {
    const admission = new ModelAdmission(
      { maxConcurrent: NONE, tokensPerMinute: perModel({}, 1_000) },
      clock,
    );
    const first = await admission.admit('m', 600);
    const second = admission.admit('m', 600);
    expect(await settledYet(second)).toBe(false);
    // Ten seconds on, it returns having used less than it reserved: what it used is what counts.
    await advance(10_000);
    first.settle(300);
    expect(await settledYet(second)).toBe(true);
    expect(admission.stats('m')).toMatchObject({ tokensInWindow: 900 });
    const third = admission.admit('m', 200);
    expect(await settledYet(third)).toBe(false);
    // The first call leaves the window a minute after it started; the second is still in it.
    await advance(WINDOW_MS - 10_001);
    expect(await settledYet(third)).toBe(false);
    await advance(1);
    expect(await settledYet(third)).toBe(true);
    expect(admission.stats('m')).toMatchObject({ inFlight: 2, tokensInWindow: 800 });
  });

  it('lets a call larger than the whole minute through alone, rather than never', async () => {
    const admission = new ModelAdmission(
      { maxConcurrent: NONE, tokensPerMinute: perModel({}, 100) },
      clock,
    );
    const small = await admission.admit('m', 50);
    const large = admission.admit('m', 500);
    small.settle(50);
    expect(await settledYet(large)).toBe(false);
    await advance(WINDOW_MS);
    expect(await settledYet(large)).toBe(true);
  });

  it('gives up a wait when its signal aborts, taking nothing, and lets the next one in', async () => {
    const admission = new ModelAdmission(
      { maxConcurrent: perModel({}, 1), tokensPerMinute: NONE },
      clock,
    );
    const held = await admission.admit('m', 1);
    const stop = new AbortController();
    const abandoned = admission.admit('m', 1, stop.signal);
    const next = admission.admit('m', 1);
    stop.abort();
    await expect(abandoned).rejects.toMatchObject({ name: 'AbortError' });
    expect(admission.stats('m')).toMatchObject({ inFlight: 1, waiting: 1 });
    held.settle(1);
    const permit: AdmissionPermit = await next;
    expect(admission.stats('m')).toMatchObject({ inFlight: 1, waiting: 0 });
    permit.settle(1);
    permit.settle(1); // settling twice counts once
    expect(admission.stats('m')).toMatchObject({ inFlight: 0 });
    await expect(admission.admit('m', 1, AbortSignal.abort())).rejects.toMatchObject({
      name: 'AbortError',
    });
  });
});
