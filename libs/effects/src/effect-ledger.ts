import { IsBoolean, IsISO8601, IsNumber, IsString } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import type { EntityManager } from 'typeorm';
import { Nullable, type EffectRecord } from '@baton/contracts';
import { limitProblem, type EffectClaim, type Usage } from '@baton/workflow';

/** One write as the ledger counts it toward one limit. */
export class LedgerRow {
  @JSONSchema({ description: 'The tool call: the same on every retry of one call.' })
  @IsString()
  callKey!: string;
  @IsString() runId!: string;
  @IsString() tenantId!: string;
  @IsString() workflowId!: string;
  @IsString() tool!: string;
  @JSONSchema({ description: 'The effect limit it counts toward.' })
  @IsString()
  limit!: string;
  @JSONSchema({ description: 'The limit key (an invoice, a customer).' })
  @IsString()
  key!: string;
  @Nullable('The amount the write counts; null for a limit that counts writes.')
  @IsNumber()
  amount!: number | null;
  @JSONSchema({ description: 'A shadow run simulated it: nothing was written.' })
  @IsBoolean()
  simulated!: boolean;
  @IsISO8601() at!: string;
}

/** Whose effects a limit counts: one tenant's calls of one workflow's tool. */
export interface LedgerScope {
  tenantId: string;
  workflowId: string;
  tool: string;
  /** Shadow runs also count simulated writes, so they show what live would refuse. */
  shadow: boolean;
  /** The call being checked: its own row (a redelivered step) does not count against it. */
  callKey?: string;
}

/**
 * Effect limits against the effect ledger table (CreateEffectLedger), always inside the
 * caller's transaction. `claim` is the atomic form: it locks each key of the call (a
 * transaction-scoped advisory lock, in a fixed order so two calls never deadlock) before it
 * counts, so of two transactions racing on one key the second counts after the first committed
 * its row. The locks last until the caller's transaction ends: record the call in the same one.
 */
export class EffectLedger {
  /** Locks the call's keys, then says which limits it would break (empty: it fits). */
  async claim(
    manager: EntityManager,
    scope: LedgerScope,
    claims: readonly EffectClaim[],
    now: Date,
  ): Promise<string[]> {
    const locks = [...new Set(claims.map((claim) => lockName(scope, claim)))].sort();
    for (const lock of locks) {
      await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [lock]);
    }
    return this.check(manager, scope, claims, now);
  }

  /** Which limits the call would break, from what the ledger holds now (no lock taken). */
  async check(
    manager: EntityManager,
    scope: LedgerScope,
    claims: readonly EffectClaim[],
    now: Date,
  ): Promise<string[]> {
    const problems: string[] = [];
    for (const claim of claims) {
      const problem = limitProblem(claim, await this.usage(manager, scope, claim, now));
      if (problem) problems.push(problem);
    }
    return problems;
  }

  /** Calls and their total for a claim's key within its window. */
  async usage(
    manager: EntityManager,
    scope: LedgerScope,
    claim: EffectClaim,
    now: Date,
  ): Promise<Usage> {
    const [row] = (await manager.query(
      `SELECT count(*)::int AS count, coalesce(sum(amount), 0)::text AS sum
         FROM effect_ledger
        WHERE tenant_id = $1 AND workflow_id = $2 AND tool = $3 AND limit_name = $4
          AND limit_key = $5 AND at > $6 AND (NOT simulated OR $7) AND call_key <> $8`,
      [
        scope.tenantId,
        scope.workflowId,
        scope.tool,
        claim.limit,
        claim.key,
        new Date(now.getTime() - claim.windowMs),
        scope.shadow,
        scope.callKey ?? '',
      ],
    )) as Array<{ count: number; sum: string }>;
    return { count: row?.count ?? 0, sum: Number(row?.sum ?? 0) };
  }

  /** The ledger's rows of one run, or of one limit key (newest first, at most `limit`). */
  async list(
    manager: EntityManager,
    filter: { runId?: string; key?: string; limit: number },
  ): Promise<LedgerRow[]> {
    const rows = (await manager.query(
      `SELECT call_key, run_id, tenant_id, workflow_id, tool, limit_name, limit_key,
              amount::float8 AS amount, simulated, at
         FROM effect_ledger
        WHERE ($1::uuid IS NULL OR run_id = $1) AND ($2::text IS NULL OR limit_key = $2)
        ORDER BY at DESC, call_key, limit_name
        LIMIT $3`,
      [filter.runId ?? null, filter.key ?? null, filter.limit],
    )) as Array<Record<string, unknown>>;
    return rows.map((row) => ({
      callKey: row['call_key'] as string,
      runId: row['run_id'] as string,
      tenantId: row['tenant_id'] as string,
      workflowId: row['workflow_id'] as string,
      tool: row['tool'] as string,
      limit: row['limit_name'] as string,
      key: row['limit_key'] as string,
      amount: (row['amount'] as number | null) ?? null,
      simulated: row['simulated'] as boolean,
      at: (row['at'] as Date).toISOString(),
    }));
  }

  /** Records an executed (or simulated) write: one row per limit it counts toward. Idempotent. */
  async record(manager: EntityManager, effect: EffectRecord): Promise<void> {
    for (const claim of effect.claims) {
      await manager.query(
        `INSERT INTO effect_ledger (call_key, limit_name, tenant_id, workflow_id, tool, limit_key,
           amount, simulated, run_id, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (call_key, limit_name) DO NOTHING`,
        [
          effect.callKey,
          claim.limit,
          effect.tenantId,
          effect.workflow.id,
          effect.tool,
          claim.key,
          claim.amount ?? null,
          effect.simulated,
          effect.runId,
          effect.at,
        ],
      );
    }
  }
}

function lockName(scope: LedgerScope, claim: EffectClaim): string {
  return JSON.stringify([
    'baton:effect',
    scope.tenantId,
    scope.workflowId,
    scope.tool,
    claim.limit,
    claim.key,
  ]);
}
