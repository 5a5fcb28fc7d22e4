import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseWorkflow } from './load-workflow.js';
import { compileOutputSchema } from './output-schema.js';

const amountSchema = {
  type: 'object',
  required: ['amount'],
  properties: {
    amount: { type: 'number', exclusiveMinimum: 0 },
    invoiceId: { type: 'string', pattern: '^inv_' },
    lines: { type: 'array', items: { type: 'object', properties: { sku: { type: 'string' } } } },
  },
};

const checkOf = (schema: unknown) => {
  const compiled = compileOutputSchema(schema);
  if (!compiled.ok) throw new Error(compiled.problem);
  return compiled.check;
};

describe(compileOutputSchema.name, () => {
  it('accepts args that satisfy the schema', () => {
    expect(checkOf(amountSchema)({ amount: 20, invoiceId: 'inv_7' })).toEqual([]);
  });

  it('names every failing path under args, as the other output problems read', () => {
    const check = checkOf({ ...amountSchema, additionalProperties: false });
    expect(check({ amount: '20', invoiceId: 'x', lines: [{ sku: 4 }], note: 'hi' })).toEqual([
      'args.note: is not allowed',
      'args.amount: must be number',
      'args.invoiceId: must match pattern "^inv_"',
      'args.lines.0.sku: must be string',
    ]);
    expect(check({})).toEqual(['args.amount: is required']);
    expect(check({ amount: 0 })).toEqual(['args.amount: must be > 0']);
  });

  it('refuses what is not a JSON Schema, naming the problem', () => {
    expect(compileOutputSchema({ type: 'decimal' })).toEqual({
      ok: false,
      problem: expect.stringMatching(
        /^not a valid JSON Schema \(draft 2020-12\): schema is invalid/,
      ),
    });
    // A misspelt keyword would silently check nothing.
    expect(compileOutputSchema({ properties: { amount: { minimun: 1 } } })).toEqual({
      ok: false,
      problem: expect.stringContaining('unknown keyword: "minimun"'),
    });
    // No format is checked in this build: one that would be ignored is refused instead.
    expect(
      compileOutputSchema({ properties: { to: { type: 'string', format: 'email' } } }),
    ).toEqual({ ok: false, problem: expect.stringContaining('unknown format "email"') });
    expect(compileOutputSchema([])).toEqual({ ok: false, problem: 'a JSON Schema is a mapping' });
  });

  it('compiles the same $id twice (the loader, then the decision service, in one process)', () => {
    const schema = { $id: 'https://acme.example/credit-args', type: 'object' };
    expect(compileOutputSchema(schema).ok).toBe(true);
    expect(compileOutputSchema(schema).ok).toBe(true);
  });
});

describe('the loader and decision.model.outputSchema', () => {
  const billing = readFileSync(
    new URL('../../../workflows/billing-dispute/workflow.yaml', import.meta.url),
    'utf8',
  );
  const withOutputSchema = (schema: string) =>
    billing.replace(
      '    maxInvalidOutputs: 2\n',
      `    maxInvalidOutputs: 2\n    outputSchema: ${schema}\n`,
    );

  it('accepts a valid schema', () => {
    const loaded = parseWorkflow(
      withOutputSchema('{ type: object, properties: { amount: { type: number } } }'),
    );
    expect(loaded.ok ? loaded.workflow.decision.model?.outputSchema : loaded.errors).toEqual({
      type: 'object',
      properties: { amount: { type: 'number' } },
    });
  });

  it('reports a schema that is not one by path and line, like the other checks', () => {
    const text = withOutputSchema('{ properties: { amount: { type: money } } }');
    const loaded = parseWorkflow(text, { fileName: 'workflow.yaml' });
    const line = text.split('\n').findIndex((l) => l.includes('outputSchema:')) + 1;
    expect(loaded.ok ? [] : loaded.errors).toEqual([
      expect.stringMatching(
        new RegExp(
          `^decision\\.model\\.outputSchema: not a valid JSON Schema \\(draft 2020-12\\): schema is invalid: .* \\(line ${line}, column \\d+\\)$`,
        ),
      ),
    ]);
  });
});
