import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WorkflowCatalog, parseWorkflow } from './load-workflow.js';

const WORKFLOWS = new URL('../../../workflows/', import.meta.url);

describe(parseWorkflow.name, () => {
  it('loads the shipped workflows', () => {
    const catalog = WorkflowCatalog.fromDirectory(WORKFLOWS.pathname);
    expect(catalog.latest('billing-dispute')).toMatchObject({
      id: 'billing-dispute',
      version: 1,
      mode: 'live',
    });
  });

  it('rejects an invalid definition with every error at once, each by path', () => {
    const good = JSON.parse(
      readFileSync(new URL('billing-dispute/workflow.json', WORKFLOWS), 'utf8'),
    );
    const bad = {
      ...good,
      owner: undefined,
      limits: { ...good.limits, maxSteps: 0 },
      decision: {
        ...good.decision,
        rules: [
          {
            ...good.decision.rules[2],
            then: { ...good.decision.rules[2].then, tool: 'wire-money' },
          },
        ],
      },
      context: {
        sources: [{ ...good.context.sources[0], query: 'DELETE FROM billing.customers' }],
      },
    };
    const loaded = parseWorkflow(JSON.stringify(bad));
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.errors).toEqual([
      'owner: is required',
      'limits.maxSteps: maxSteps must not be less than 1',
    ]);
    const crossErrors = parseWorkflow(
      JSON.stringify({ ...bad, owner: 'x@y.z', limits: good.limits }),
    );
    expect(crossErrors.ok ? [] : crossErrors.errors).toEqual([
      'decision.rules.0.then.tool: "wire-money" is not a granted tool (issue-credit, draft-reply, search-policy)',
      'context.sources.0.query: context queries are read-only (SELECT or WITH)',
    ]);
  });
});
