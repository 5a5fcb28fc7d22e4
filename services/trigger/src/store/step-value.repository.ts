import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RunFacts } from '../domain/step-value.js';
import { SqlFilter } from './sql-filter.js';

/** Which runs the step-value report covers: one workflow version, by start time. */
export interface StepValueFilter {
  workflowId: string;
  version: number;
  since?: Date;
  until?: Date;
}

/**
 * The run ledger's reads for the step-value report (docs/outcomes.md, "Step value"): each run
 * in scope with its steps reduced to the few fields the report reads (never the evidence or
 * the args themselves), in the order they ran.
 */
@Injectable()
export class StepValueRuns {
  async facts(manager: EntityManager, filter: StepValueFilter): Promise<RunFacts[]> {
    // A backtest's runs are not the version's live runs (docs/changing-workflows.md).
    const sql = new SqlFilter()
      .require('r.backtest_id IS NULL')
      .add('r.workflow_id = ?', filter.workflowId)
      .add('r.workflow_version = ?', filter.version);
    if (filter.since) sql.add('r.created_at >= ?', filter.since);
    if (filter.until) sql.add('r.created_at < ?', filter.until);
    const rows: Array<{ review_outcome: string | null; steps: RunFacts['steps'] }> =
      await manager.query(
        `SELECT r.review_outcome,
                COALESCE((
                  SELECT json_agg(json_strip_nulls(json_build_object(
                           'kind', s.kind, 'name', s.name, 'outcome', s.outcome,
                           'sources', CASE WHEN s.kind = 'context' THEN s.output->'sources' END,
                           'rule', s.output->'rule',
                           'decidedBy', s.output#>'{decision,decidedBy}',
                           'label', s.output#>'{decision,label}',
                           'tool', CASE WHEN s.kind = 'validation' THEN s.input->'tool' END,
                           'problems', s.output->'problems',
                           'reason', s.output->'reason'))
                         ORDER BY s.seq, s.finished_at, s.envelope_id)
                    FROM run_steps s WHERE s.run_id = r.id), '[]') AS steps
           FROM runs r ${sql.where}
          ORDER BY r.created_at, r.id`,
        sql.params,
      );
    return rows.map((row) => ({ reviewOutcome: row.review_outcome, steps: row.steps }));
  }
}
