import type { DecisionRecord, RunState } from '@baton/contracts';
import { evaluate } from '../cel/cel.js';
import { shortJson } from '../expression.js';
import { proposalScope, ruleScope } from '../rule-scope.js';
import { windowMs, type ToolGrantSpec } from '../workflow-definition.js';

/** What one call claims of one limit: its key, and what it adds to the key's count and total. */
export interface EffectClaim {
  /** The limit's name (its identity in the effect ledger). */
  limit: string;
  /** The key the limit is counted per, as text (`inv_2001`). */
  key: string;
  /** The window, as written (`90d`), and in milliseconds. */
  window: string;
  windowMs: number;
  maxCount?: number;
  /** What this call adds to the key's total (`sum`), when the limit has one. */
  amount?: number;
  maxSum?: number;
}

export type Claims = { ok: true; claims: EffectClaim[] } | { ok: false; problems: string[] };

/** What the ledger holds for a key within a window, before this call. */
export interface Usage {
  count: number;
  sum: number;
}

// Sums of amounts with cents carry float noise; a limit is broken only beyond it.
const EPSILON = 1e-9;

/**
 * Evaluates a write tool's effect limits for one call (the proposal with its pinned
 * arguments bound): the key each limit counts it under, the amount it adds, the ceiling.
 * A key, amount or ceiling the run cannot give refuses the call: a limit that cannot be
 * counted is not a limit.
 */
export function effectClaims(
  grant: ToolGrantSpec,
  decision: DecisionRecord,
  state: RunState,
): Claims {
  const limits = grant.limits ?? [];
  if (!limits.length) return { ok: true, claims: [] };
  const scope = proposalScope(ruleScope(state), decision);
  const claims: EffectClaim[] = [];
  const problems: string[] = [];
  for (const limit of limits) {
    const where = `limit ${limit.name}`;
    const key = evaluate(limit.key, scope);
    if (
      !key.ok ||
      (typeof key.value !== 'string' && typeof key.value !== 'number') ||
      key.value === ''
    ) {
      problems.push(
        `${where}: its key ${limit.key} ${key.ok ? `is ${shortJson(key.value)}, not text or a number` : `cannot be evaluated: ${key.error}`}`,
      );
      continue;
    }
    const claim: EffectClaim = {
      limit: limit.name,
      key: String(key.value),
      window: limit.window,
      windowMs: windowMs(limit.window),
      ...(limit.maxCount !== undefined ? { maxCount: limit.maxCount } : {}),
    };
    if (limit.sum !== undefined && limit.maxSum !== undefined) {
      const amount = numberOf(limit.sum, scope);
      const max =
        typeof limit.maxSum === 'number' ? { value: limit.maxSum } : numberOf(limit.maxSum, scope);
      if ('error' in amount) problems.push(`${where}: its sum ${limit.sum} ${amount.error}`);
      if ('error' in max)
        problems.push(`${where}: its maxSum ${String(limit.maxSum)} ${max.error}`);
      if ('error' in amount || 'error' in max) continue;
      claim.amount = amount.value;
      claim.maxSum = max.value;
    }
    claims.push(claim);
  }
  return problems.length ? { ok: false, problems } : { ok: true, claims };
}

/** Why the claim breaks its limit given what the ledger holds, or undefined when it fits. */
export function limitProblem(claim: EffectClaim, usage: Usage): string | undefined {
  const within = `for ${claim.key} in the last ${claim.window}`;
  if (claim.maxCount !== undefined && usage.count + 1 > claim.maxCount) {
    return `limit ${claim.limit}: ${usage.count} call${usage.count === 1 ? '' : 's'} already ${within}; at most ${claim.maxCount}`;
  }
  if (claim.amount !== undefined && claim.maxSum !== undefined) {
    const total = usage.sum + claim.amount;
    if (total > claim.maxSum + EPSILON) {
      return `limit ${claim.limit}: ${round(usage.sum)} already ${within}, plus ${round(claim.amount)} makes ${round(total)}, above ${round(claim.maxSum)}`;
    }
  }
  return undefined;
}

function numberOf(
  source: string,
  scope: Record<string, unknown>,
): { value: number } | { error: string } {
  const result = evaluate(source, scope);
  if (!result.ok) return { error: `cannot be evaluated: ${result.error}` };
  if (typeof result.value !== 'number' || !Number.isFinite(result.value))
    return { error: `is ${shortJson(result.value)}, not a number` };
  return { value: result.value };
}

const round = (value: number) => Math.round(value * 100) / 100;
