import { readFileSync } from 'node:fs';
import { aContextEnvelope, type DecisionRecord, type RunState } from '@baton/contracts';
import { describe, expect, it } from 'vitest';
import { parseWorkflow, type Loaded } from '../load-workflow.js';
import { checkResult, describeResultFailures } from './result-checks.js';

const billing = readFileSync(
  new URL('../../../../workflows/billing-dispute/workflow.yaml', import.meta.url),
  'utf8',
);
const errorsOf = (loaded: Loaded) => (loaded.ok ? [] : loaded.errors);
const loaded = parseWorkflow(billing);
if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
const credit = loaded.workflow.tools.find((tool) => tool.name === 'issue-credit')!;

const state: RunState = {
  trigger: aContextEnvelope({ data: { customerId: 'cus_1001' } }).payload.trigger,
  evidence: [],
  weakEvidence: false,
  history: [],
};
const decision: DecisionRecord = {
  next: 'act',
  tool: 'issue-credit',
  args: { customerId: 'cus_1001', invoiceId: 'inv_8', amount: 20 },
  label: 'duplicate-charge',
  confidence: 0.9,
  rationale: 'Two identical invoices.',
  decidedBy: 'rules',
};
const row = { id: 'cr_1', customer_id: 'cus_1001', invoice_id: 'inv_8', amount: 20 };

describe(checkResult.name, () => {
  it("passes the row billing's issue-credit returns for the proposed credit", () => {
    expect(credit.resultChecks).toHaveLength(2);
    expect(checkResult(credit, decision, state, row)).toEqual([]);
  });

  it('names every check the result fails, and fails closed on one it cannot evaluate', () => {
    const failures = checkResult(credit, decision, state, { id: 'cr_1', amount: 200 });
    expect(failures).toEqual([
      {
        index: 0,
        expr: 'result.amount == args.amount',
        message: 'The credit row does not carry the proposed amount.',
      },
      {
        index: 1,
        expr: expect.stringContaining('result.invoice_id'),
        message: 'The credit row is not on the proposed invoice of the customer who wrote in.',
        error: expect.stringContaining('invoice_id'),
      },
    ]);
    expect(describeResultFailures(failures)).toMatch(
      /^The credit row does not carry the proposed amount\.; The credit row is not on .+ \(could not be evaluated, so it fails: .+\)$/,
    );
  });

  it('has nothing to check for a tool without result checks', () => {
    expect(checkResult({}, decision, state, {})).toEqual([]);
  });
});

describe('resultChecks in a definition', () => {
  const edited = (from: string, to: string) => {
    expect(billing).toContain(from);
    return parseWorkflow(billing.replace(from, to), { fileName: 'workflow.yaml' });
  };

  it('are type-checked when the definition loads, by path', () => {
    const errors = errorsOf(
      edited('      - expr: result.amount == args.amount\n', '      - expr: result.amount + 1\n'),
    );
    expect(errors).toEqual([
      expect.stringMatching(/^tools\.0\.resultChecks\.0\.expr: .*not a condition/),
    ]);
  });

  it('see the proposal scope and result, and nothing undeclared', () => {
    const errors = errorsOf(
      edited(
        '      - expr: result.amount == args.amount\n',
        '      - expr: evidence.nosuch.amount == result.amount\n',
      ),
    );
    expect(errors).toEqual([expect.stringMatching(/^tools\.0\.resultChecks\.0\.expr: /)]);
  });

  it('belong to write tools only', () => {
    const errors = errorsOf(
      edited(
        '    params: [args.query]\n',
        '    params: [args.query]\n    resultChecks:\n      - { expr: "true", message: Never. }\n',
      ),
    );
    expect(errors).toEqual([
      expect.stringMatching(
        /^tools\.2\.resultChecks: result checks look at what a write tool wrote/,
      ),
    ]);
  });

  it('need an expression and a message', () => {
    const errors = errorsOf(
      edited('        message: The credit row does not carry the proposed amount.\n', ''),
    );
    expect(errors).toEqual([expect.stringMatching(/^tools\.0\.resultChecks\.0\.message/)]);
  });
});
