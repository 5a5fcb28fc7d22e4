import { Injectable } from '@nestjs/common';
import { bindParams, getPath, type Scope, type ToolGrantSpec } from '@baton/workflow';
import { ActionConfig } from '../../config/action.config.js';
import { BusinessDatabase } from '@baton/business';
import { searchKnowledge } from '@baton/business';
import { ToolInputError } from './tool-error.js';

const DEFAULT_PASSAGE_LIMIT = 5;

/**
 * Runs one granted tool against the business database. Throws what the database throws;
 * the caller decides whether that is a failed result or worth a retry.
 */
@Injectable()
export class ToolExecutor {
  constructor(
    private readonly database: BusinessDatabase,
    private readonly config: ActionConfig,
  ) {}

  /**
   * The tool's output: for a write, the row its statement returned (the billing statements
   * return the row of their idempotency key, first call or not); for a read, `{ rows }`; for a
   * knowledge search, `{ passages }`.
   */
  async execute(grant: ToolGrantSpec, scope: Scope): Promise<Record<string, unknown>> {
    if (grant.kind === 'knowledge') return this.search(grant, scope);
    const rows = await this.database.run(
      grant.access,
      grant.statement ?? '',
      bindParams(grant.params ?? [], scope).values,
      this.config.toolTimeoutMs,
    );
    if (grant.access === 'write' && rows.length === 1) return rows[0]!;
    return { rows };
  }

  private async search(grant: ToolGrantSpec, scope: Scope): Promise<Record<string, unknown>> {
    const path = grant.params?.[0] ?? '';
    const text = getPath(scope, path);
    if (typeof text !== 'string' || text.trim() === '') {
      throw new ToolInputError(`${path} has no text to search for`);
    }
    const passages = await searchKnowledge(this.database, {
      collection: grant.collection ?? '',
      text,
      limit: DEFAULT_PASSAGE_LIMIT,
      minScore: 0,
      timeoutMs: this.config.toolTimeoutMs,
    });
    return { passages };
  }
}
