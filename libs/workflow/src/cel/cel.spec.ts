import { describe, expect, it } from 'vitest';
import { compileExpression, evaluate } from './cel.js';
import { variables } from './cel-checker.js';
import { BOOL, DOUBLE, DYN_MAP, listOf, record, STRING } from './cel-type.js';

const declared = variables({
  args: DYN_MAP,
  trigger: record({ data: DYN_MAP, source: STRING }, 'trigger field'),
  evidence: record({ customer: DYN_MAP, invoices: listOf(DYN_MAP) }, 'context source'),
  weakEvidence: BOOL,
  decision: record({ confidence: DOUBLE, label: STRING }, 'decision field'),
});
const problemsOf = (source: string) => {
  const compiled = compileExpression(source, declared);
  return compiled.ok ? [] : compiled.problems.map((problem) => problem.message);
};
const scope = {
  args: { customerId: 'cus_1', invoiceId: 'inv_1', amount: 20 },
  trigger: { data: { customerId: 'cus_1', email: ' Ada@Example.com ' } },
  evidence: {
    customer: { id: 'cus_1', name: 'Ada' },
    invoices: [
      { id: 'inv_1', amount: 36 },
      { id: 'inv_2', amount: 18 },
    ],
  },
  weakEvidence: false,
  decision: { confidence: 0.7, label: 'duplicate-charge' },
};

describe('CEL expressions: type-checked at load', () => {
  it('accepts comparisons of facts with facts and lookups in lists', () => {
    for (const source of [
      'args.customerId == trigger.data.customerId',
      'args.invoiceId in evidence.invoices.map(i, i.id)',
      'evidence.invoices.exists(i, i.id == args.invoiceId && args.amount <= i.amount)',
      'decision.confidence >= 0.7 && !weakEvidence',
      "trigger.data.email.trim().lowerAscii().endsWith('@example.com')",
      'size(evidence.invoices) > 1',
      'args.amount + 1 > 20',
    ])
      expect(problemsOf(source), source).toEqual([]);
  });

  it('names what is wrong before any run: unknown names, sources, functions, types', () => {
    expect(problemsOf('evidenc.customer')).toEqual([
      'unknown name "evidenc" (known: args, trigger, evidence, weakEvidence, decision)',
    ]);
    expect(problemsOf('evidence.invoice.exists(i, true)')).toEqual([
      '"evidence" has no context source named "invoice" (customer, invoices)',
    ]);
    expect(problemsOf('evidence.invoices.amount > 1')).toEqual([
      'a list(map(string, dyn)) has no field "amount": use [0], exists() or map()',
    ]);
    expect(problemsOf('refundAll(args)')).toEqual([
      'unknown function "refundAll()" (docs/workflows.md#expressions lists them)',
    ]);
    expect(problemsOf('decision.label == 1')).toEqual([
      'compares a string with an int: never equal',
    ]);
    expect(problemsOf('decision.label < 1.5')).toEqual([
      '"<" compares numbers with numbers or text with text, not a string with a double',
    ]);
    expect(problemsOf('size(evidence.invoices) * 1.5')).toEqual([
      '"*" mixes an int and a double: write double(…) around the int (numbers from the run are doubles)',
    ]);
    expect(problemsOf('weakEvidence && args.amount +')[0]).toMatch(/^not a valid expression: /);
  });

  it('reports where in the text a problem is', () => {
    const compiled = compileExpression('args.amount > 0 && evidence.invoice.id == 1', declared);
    expect(!compiled.ok && compiled.problems[0]!.offset).toBe(27);
  });
});

describe('CEL expressions: evaluated on a run', () => {
  it('gives plain JSON values', () => {
    expect(evaluate('evidence.invoices.map(i, i.id)', scope)).toEqual({
      ok: true,
      value: ['inv_1', 'inv_2'],
    });
    expect(
      evaluate('evidence.invoices.filter(i, i.id == args.invoiceId)[0].amount', scope),
    ).toEqual({
      ok: true,
      value: 36,
    });
    expect(evaluate('size(evidence.invoices)', scope)).toEqual({ ok: true, value: 2 });
    expect(evaluate('evidence.customer', scope)).toEqual({
      ok: true,
      value: { id: 'cus_1', name: 'Ada' },
    });
  });

  it('reads a whole number next to a run value as a double, as JSON numbers are', () => {
    expect(evaluate('args.amount + 1', scope)).toEqual({ ok: true, value: 21 });
    expect(evaluate('args.amount * 2 == 40', scope)).toEqual({ ok: true, value: true });
    expect(evaluate('-1 + args.amount', scope)).toEqual({ ok: true, value: 19 });
  });

  it('says why when the run lacks what an expression reads', () => {
    expect(evaluate('args.reason == ""', scope)).toEqual({
      ok: false,
      error: 'the run has no "reason"',
    });
    expect(evaluate('has(args.reason)', scope)).toEqual({ ok: true, value: false });
    expect(evaluate('evidence.invoices[5].id', scope)).toMatchObject({ ok: false });
  });

  it('evaluates an expression that does not parse to an error, never to a value', () => {
    expect(evaluate('args.amount >', scope)).toMatchObject({ ok: false });
  });
});

describe('CEL expressions over decoded contract classes', () => {
  class Snapshot {
    constructor(readonly data: Record<string, unknown>) {}
  }
  it('reads class instances (decoded envelopes) as plain JSON', () => {
    const trigger = new Snapshot({ customerId: 'cus_1' });
    expect(evaluate('trigger.data.customerId == "cus_1"', { trigger })).toEqual({
      ok: true,
      value: true,
    });
    expect(evaluate('trigger.data', { trigger })).toEqual({
      ok: true,
      value: { customerId: 'cus_1' },
    });
  });
});

describe('CEL expressions: what fails at run time is refused at load', () => {
  it('refuses % on run values (CEL has no % for doubles) and names the fix', () => {
    expect(problemsOf('args.amount % 2 == 0')).toEqual([
      '"%" takes whole numbers and numbers from the run are doubles: write int(…) around them',
    ]);
    expect(problemsOf('int(args.amount) % 2 == 0')).toEqual([]);
    expect(evaluate('int(args.amount) % 3 == 2', scope)).toEqual({ ok: true, value: true });
  });

  it('knows matches() only as a method, as @bufbuild/cel evaluates it', () => {
    expect(problemsOf("matches(trigger.source, '^z')")[0]).toMatch(
      /^unknown function "matches\(\)"/,
    );
    expect(problemsOf("trigger.source.matches('^z')")).toEqual([]);
  });
});
