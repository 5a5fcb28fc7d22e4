import { describe, expect, it } from 'vitest';
import { EscalationError, EscalationErrorCode } from './escalation-error.js';
import { aTaskRow } from '../testing/task-row.builder.js';
import { claimOverriddenBy, refusalOf } from './task-guards.js';

const now = new Date('2026-01-01T11:00:00Z');
const until = new Date('2026-01-01T11:30:00Z');
const claimed = aTaskRow({ claimed_by: 'rita', claimed_role: 'reviewer', claimed_until: until });
const rita = { name: 'rita', role: 'reviewer' };
const sam = { name: 'sam', role: 'reviewer' };
const ada = { name: 'ada', role: 'admin' };

function errorOf(run: () => unknown): EscalationError | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof EscalationError) return error;
    throw error;
  }
  return undefined;
}

describe(claimOverriddenBy.name, () => {
  it('lets the claimant decide, and anyone when nobody holds the task or the claim expired', () => {
    expect(claimOverriddenBy(claimed, rita, now)).toBeUndefined();
    expect(claimOverriddenBy(aTaskRow(), sam, now)).toBeUndefined();
    expect(claimOverriddenBy(claimed, sam, until)).toBeUndefined(); // ends at `until`
  });

  it('refuses another reviewer with task-claimed, naming who and until when', () => {
    const error = errorOf(() => claimOverriddenBy(claimed, sam, now));
    expect(error?.code).toBe(EscalationErrorCode.TaskClaimed);
    expect(error?.message).toBe(
      `task ${claimed.id} is claimed by rita until 2026-01-01T11:30:00.000Z; until then only rita (or an admin) may decide or release it`,
    );
  });

  it('lets an admin override the claim, returning it to be recorded', () => {
    expect(claimOverriddenBy(claimed, ada, now)).toEqual({
      claimedBy: 'rita',
      claimedUntil: until.toISOString(),
    });
  });
});

describe(refusalOf.name, () => {
  it('says why a guarded update changed nothing: not open, claimed, or changed meanwhile', () => {
    expect(refusalOf({ ...claimed, status: 'rejected' }, now).code).toBe(
      EscalationErrorCode.TaskNotOpen,
    );
    expect(refusalOf(claimed, now).code).toBe(EscalationErrorCode.TaskClaimed);
    expect(refusalOf(aTaskRow(), now).message).toMatch(/changed meanwhile/);
  });
});
