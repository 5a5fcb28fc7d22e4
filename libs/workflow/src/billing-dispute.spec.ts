import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseWorkflow } from './load-workflow.js';
import { WorkflowCatalog } from './workflow-catalog.js';

const WORKFLOWS = new URL('../../../workflows/', import.meta.url);
const yamlText = readFileSync(new URL('billing-dispute/workflow.yaml', WORKFLOWS), 'utf8');

describe('the shipped workflows', () => {
  it('load', () => {
    const catalog = WorkflowCatalog.fromDirectory(WORKFLOWS.pathname);
    expect(catalog.latest('billing-dispute')).toMatchObject({
      id: 'billing-dispute',
      version: 1,
      mode: 'live',
      escalation: { queue: 'billing', slaMinutes: 240 },
      limits: { maxSteps: 20, maxTokens: 20000, maxCostUsd: 0.5, deadlineMinutes: 60 },
    });
  });

  it('read the same from YAML as from the equivalent JSON', () => {
    const fromYaml = parseWorkflow(yamlText, { format: 'yaml' });
    const fromJson = parseWorkflow(JSON.stringify(parse(yamlText)), { format: 'json' });
    expect(fromYaml.ok && fromJson.ok).toBe(true);
    if (!fromYaml.ok || !fromJson.ok) return;
    expect(fromYaml.workflow).toEqual(fromJson.workflow);
    // Folded YAML text is one line, as the services (and the SQL) expect.
    expect(fromYaml.workflow.context.sources[1]!.query).toBe(
      'SELECT id, period, amount, status, issued_at FROM billing.invoices WHERE customer_id = $1 ORDER BY issued_at DESC LIMIT 12',
    );
    expect(fromYaml.workflow.decision.rules[3]!.then.args).toEqual({
      customerId: '{{ trigger.data.customerId }}',
      invoiceId: '{{ trigger.data.invoiceId }}',
      amount: '{{ trigger.data.disputedAmount }}',
      reason: '{{ trigger.data.message }}',
    });
  });

  it('reject an invalid definition with every error at once, structural and cross-field, each by path', () => {
    const good = parse(yamlText) as {
      limits: object;
      decision: { rules: Array<{ then: object }> };
      context: { sources: object[] };
    };
    const bad = {
      ...good,
      owner: undefined,
      limits: { ...good.limits, maxSteps: 0 },
      decision: {
        ...good.decision,
        rules: [
          {
            ...good.decision.rules[2]!,
            then: { ...good.decision.rules[2]!.then, tool: 'wire-money' },
          },
        ],
      },
      context: {
        sources: [{ ...good.context.sources[0], query: 'DELETE FROM billing.customers' }],
      },
    };
    const loaded = parseWorkflow(JSON.stringify(bad));
    expect(loaded.ok ? [] : loaded.errors).toEqual([
      'owner: is required',
      'limits.maxSteps: maxSteps must not be less than 1',
      'decision.rules.0.then.tool: "wire-money" is not a granted tool (issue-credit, draft-reply, search-policy)',
      // The expressions that read the invoices source are type-checked against the sources left.
      'validation.checks.1.failWhen.0: "evidence" has no context source named "invoices" (customer) (at character 10 of the expression)',
      'validation.checks.2.failWhen.0: "evidence" has no context source named "invoices" (customer) (at character 9 of the expression)',
      'tools.0.limits.1.maxSum: "evidence" has no context source named "invoices" (customer) (at character 9 of the expression)',
      'context.sources.0.query: context queries are read-only (SELECT or WITH)',
    ]);
  });
});
