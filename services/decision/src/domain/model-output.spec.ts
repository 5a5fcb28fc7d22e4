import { WorkflowCatalog, type WorkflowDefinition } from '@baton/workflow';
import { describe, expect, it } from 'vitest';
import { argsCheckOf } from './args-schema.js';
import { argumentNames, decisionJsonSchema, parseModelOutput } from './model-output.js';

const workflow = WorkflowCatalog.fromDirectory(
  new URL('../../../../workflows/', import.meta.url).pathname,
).get('billing-dispute', 1)!;
const labels = workflow.decision.model!.labels;
const answer = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({
    next: 'act',
    tool: 'issue-credit',
    args: {
      customerId: 'cus_1',
      invoiceId: 'inv_7',
      amount: 20,
      reason: 'double',
      body: null,
      query: null,
    },
    label: 'duplicate-charge',
    confidence: 0.8,
    rationale: 'Charged twice.',
    ...overrides,
  });

describe('model output', () => {
  it('builds a strict schema: every field required, tools and labels from the workflow', () => {
    expect(argumentNames(workflow)).toEqual([
      'amount',
      'body',
      'customerId',
      'invoiceId',
      'query',
      'reason',
    ]);
    const schema = decisionJsonSchema(workflow, labels);
    expect(schema.required).toEqual(['next', 'tool', 'args', 'label', 'confidence', 'rationale']);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.tool.enum).toEqual([
      'issue-credit',
      'draft-reply',
      'search-policy',
      null,
    ]);
    expect(schema.properties.label.enum).toEqual(labels);
    expect(schema.properties.args).toMatchObject({
      additionalProperties: false,
      required: ['amount', 'body', 'customerId', 'invoiceId', 'query', 'reason'],
    });
  });

  it('reads a valid answer into a decision by the model, dropping args set to null', () => {
    expect(parseModelOutput(answer(), labels)).toEqual({
      ok: true,
      decision: {
        next: 'act',
        tool: 'issue-credit',
        args: { customerId: 'cus_1', invoiceId: 'inv_7', amount: 20, reason: 'double' },
        label: 'duplicate-charge',
        confidence: 0.8,
        rationale: 'Charged twice.',
        decidedBy: 'model',
      },
    });
  });

  it('calls text that is not JSON invalid JSON', () => {
    expect(parseModelOutput('{"next": "act", ', labels)).toEqual({
      ok: false,
      outcome: 'invalid-json',
      problem: 'invalid JSON',
    });
    expect(parseModelOutput(null, labels)).toMatchObject({ outcome: 'invalid-json' });
  });

  it('names every field that breaks the format', () => {
    const parsed = parseModelOutput(
      answer({ next: 'wire', label: 'other', confidence: 3, rationale: ' ', args: [1] }),
      labels,
    );
    expect(parsed).toEqual({
      ok: false,
      outcome: 'invalid-output',
      problem:
        'invalid output (next must be one of act, escalate, complete, fail; args must be an object; label must be one of duplicate-charge, wrong-amount, cancelled-service, not-a-dispute, unclear; confidence must be a number from 0 to 1; rationale is required)',
    });
    expect(parseModelOutput(answer({ tool: null }), labels)).toMatchObject({
      problem: 'invalid output (an "act" decision names a tool)',
    });
  });

  it('leaves the grant check to the decision step: an unknown tool is still a readable answer', () => {
    expect(parseModelOutput(answer({ tool: 'wire-money' }), labels)).toMatchObject({
      ok: true,
      decision: { tool: 'wire-money' },
    });
  });

  describe('decision.model.outputSchema', () => {
    const outputSchema = {
      type: 'object',
      properties: { amount: { type: 'number', maximum: 100 }, invoiceId: { type: 'string' } },
    };
    const strict: WorkflowDefinition = {
      ...workflow,
      decision: { ...workflow.decision, model: { ...workflow.decision.model!, outputSchema } },
    };
    const check = argsCheckOf(strict.decision.model!);

    it('is compiled once per workflow version, and only when the workflow sets one', () => {
      expect(check).toBeDefined();
      expect(argsCheckOf(strict.decision.model!)).toBe(check);
      expect(argsCheckOf(workflow.decision.model!)).toBeUndefined();
    });

    it('makes args that violate it an invalid output, naming the failing paths', () => {
      expect(
        parseModelOutput(answer({ args: { amount: '20', invoiceId: 7 } }), labels, check),
      ).toEqual({
        ok: false,
        outcome: 'invalid-output',
        problem: 'invalid output (args.amount: must be number; args.invoiceId: must be string)',
      });
      expect(parseModelOutput(answer({ args: { amount: 120 } }), labels, check)).toMatchObject({
        problem: 'invalid output (args.amount: must be <= 100)',
      });
    });

    it('checks the args as the tool gets them (nulls dropped), and only those of an act', () => {
      expect(parseModelOutput(answer(), labels, check)).toMatchObject({ ok: true });
      const required = argsCheckOf({
        ...strict.decision.model!,
        outputSchema: { required: ['amount'] },
      });
      expect(
        parseModelOutput(answer({ args: { amount: null, customerId: 'cus_1' } }), labels, required),
      ).toMatchObject({ problem: 'invalid output (args.amount: is required)' });
      const escalation = answer({ next: 'escalate', tool: null, args: { amount: 'n/a' } });
      expect(parseModelOutput(escalation, labels, check)).toMatchObject({ ok: true });
    });

    it('is described to the model in the args of the structured output, not merged into it', () => {
      const schema = decisionJsonSchema(strict, labels);
      expect(schema.properties.args.description).toContain(JSON.stringify(outputSchema));
      expect(schema.properties.args.properties).toEqual(
        decisionJsonSchema(workflow, labels).properties.args.properties,
      );
      expect(decisionJsonSchema(workflow, labels).properties.args.description).toBe(
        "The tool's arguments; null for those that do not apply.",
      );
    });
  });
});
