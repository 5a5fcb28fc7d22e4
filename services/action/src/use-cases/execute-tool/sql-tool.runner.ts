import { Injectable } from '@nestjs/common';
import { BusinessDatabase } from '@baton/business';
import { bindParams, type Scope, type ToolGrantSpec } from '@baton/workflow';
import { ActionConfig } from '../../config/action.config.js';
import type { ToolRunner } from './tool-runner.js';

/** `kind: sql`: a parameterised statement against the business database. */
@Injectable()
export class SqlToolRunner implements ToolRunner {
  constructor(
    private readonly database: BusinessDatabase,
    private readonly config: ActionConfig,
  ) {}

  /**
   * For a write, the row its statement returned (the billing statements return the row of
   * their idempotency key, first call or not); for a read, `{ rows }`.
   */
  async run(grant: ToolGrantSpec, scope: Scope): Promise<Record<string, unknown>> {
    const rows = await this.database.run(
      grant.access,
      grant.statement ?? '',
      bindParams(grant.params ?? [], scope).values,
      this.config.toolTimeoutMs,
    );
    if (grant.access === 'write' && rows.length === 1) return rows[0]!;
    return { rows };
  }
}
