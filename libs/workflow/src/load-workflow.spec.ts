import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { parseWorkflow, type Loaded } from './load-workflow.js';
import { WorkflowCatalog } from './workflow-catalog.js';

const billing = readFileSync(
  new URL('../../../workflows/billing-dispute/workflow.yaml', import.meta.url),
  'utf8',
);

/** The billing-dispute YAML with some text replaced (each replacement must apply). */
const edited = (...edits: Array<[string, string]>) =>
  edits.reduce((text, [from, to]) => {
    expect(text, `the fixture holds ${JSON.stringify(from)}`).toContain(from);
    return text.replace(from, to);
  }, billing);

const errorsOf = (loaded: Loaded) => (loaded.ok ? [] : loaded.errors);

describe(parseWorkflow.name, () => {
  it('reports structural, cross-field and cron errors of a YAML file together, by path and line', () => {
    const text = edited(
      ['owner: support-operations@acme.example\n', ''],
      [
        '  required: [customerId, message]\n',
        '  required: [customerId, message]\n  schedule: "0 25 * * MON"\n  filters:\n    - { path: data.amount, op: gt, value: "10" }\n',
      ],
      ['        tool: draft-reply\n', '        tool: wire-money\n'],
      ['  maxSteps: 20', '  maxSteps: 0'],
      ['      query: SELECT id, name', '      query: DELETE id, name'],
      [
        '  show: [trigger.data.message, evidence.customer, args.amount]\n',
        '  show: [trigger.data.message, evidence.custmer]\n',
      ],
      ['  maxFailures: 2\n', '  maxFailures: 2\n  aprovals: []\n'],
    );
    const loaded = parseWorkflow(text, { fileName: 'workflow.yaml' });
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    const lineOf = (fragment: string) =>
      text.split('\n').findIndex((line) => line.includes(fragment)) + 1;
    expect(loaded.errors).toEqual([
      `owner: is required (line ${lineOf('formatVersion')}, column 1)`,
      `trigger.schedule: a cron schedule: hour 25 is out of range 0-23; day-of-week "MON" is not *, a number, a range a-b, a step */n or a-b/n, or a list of these (line ${lineOf('schedule:')}, column 3)`,
      `validation.aprovals: unknown field (expected one of: approvals, checks, maxFailures) (line ${lineOf('aprovals')}, column 3)`,
      `limits.maxSteps: maxSteps must not be less than 1 (line ${lineOf('maxSteps')}, column 3)`,
      `trigger.filters.0.path: "data.amount" is outside the scope: paths start with trigger (line ${lineOf('data.amount')}, column 9)`,
      `trigger.filters.0.value: "gt" compares numbers: expected a number (line ${lineOf('data.amount')}, column 36)`,
      `decision.rules.2.then.tool: "wire-money" is not a granted tool (issue-credit, draft-reply, search-policy) (line ${lineOf('wire-money')}, column 9)`,
      `context.sources.0.query: context queries are read-only (SELECT or WITH) (line ${lineOf('DELETE')}, column 7)`,
      `escalation.show.1: "evidence.custmer": no context source is named "custmer" (customer, invoices, policy) (line ${lineOf('evidence.custmer')}, column 32)`,
    ]);
    expect(loaded.problems[1]).toMatchObject({
      path: 'trigger.schedule',
      line: lineOf('schedule:'),
    });
  });

  it('names the line and column of a YAML syntax error, and rejects duplicate keys', () => {
    expect(errorsOf(parseWorkflow('id: a\nid: b\n', { format: 'yaml' }))).toEqual([
      '(root): not valid YAML: Map keys must be unique (line 2, column 1)',
    ]);
    const broken = edited(['  slaMinutes: 240', '  slaMinutes: [240']);
    const errors = errorsOf(parseWorkflow(broken, { fileName: 'workflow.yaml' }));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatch(/^\(root\): not valid YAML: .+ \(line \d+, column \d+\)$/);
  });

  it('reads YAML 1.2: yes and no are text, so a boolean field says what it expected', () => {
    const text = edited(['      required: false', '      required: no']);
    expect(errorsOf(parseWorkflow(text, { format: 'yaml' }))).toEqual([
      `context.sources.2.required: required must be a boolean value (line ${text.split('\n').findIndex((l) => l.includes('required: no')) + 1}, column 7)`,
    ]);
  });

  it('reports missing sections as required, and survives a definition of the wrong shape', () => {
    expect(errorsOf(parseWorkflow('formatVersion: 1\n', { format: 'yaml' }))).toEqual([
      'id: is required (line 1, column 1)',
      'version: is required (line 1, column 1)',
      'owner: is required (line 1, column 1)',
      'description: is required (line 1, column 1)',
      'mode: is required (line 1, column 1)',
      'trigger: is required (line 1, column 1)',
      'context: is required (line 1, column 1)',
      'decision: is required (line 1, column 1)',
      'tools: is required (line 1, column 1)',
      'validation: is required (line 1, column 1)',
      'escalation: is required (line 1, column 1)',
      'limits: is required (line 1, column 1)',
    ]);
    const garbage = JSON.stringify({
      tools: 'all',
      decision: { rules: [null, { then: 'act' }, { when: 'x', then: { next: 'act' } }] },
      context: { sources: {} },
      validation: { approvals: [{ tool: 7 }], checks: 'none' },
      escalation: { show: 'everything' },
    });
    const loaded = parseWorkflow(garbage);
    expect(loaded.ok).toBe(false);
    expect(errorsOf(loaded)).toContain('decision.rules.2.then.tool: an "act" outcome names a tool');
    expect(parseWorkflow('[1, 2]', { format: 'yaml' })).toMatchObject({
      errors: ['(root): expected a mapping (the definition), got a list'],
    });
  });

  it('reports hostile input as problems, never throws: deep nesting, long keys, a `constructor` key', () => {
    const deep = `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`;
    const nested = parseWorkflow(deep, { format: 'json' });
    expect(nested.ok).toBe(false);
    expect(nested.ok ? [] : nested.errors).toEqual([
      expect.stringMatching(/^a\.a.*: nested more than 64 levels deep \(the limit\)$/),
    ]);
    const document = parseYaml(billing) as Record<string, unknown>;
    const longKey = parseWorkflow(JSON.stringify({ ...document, ['k'.repeat(300)]: 1 }), {
      format: 'json',
    });
    expect(longKey.ok ? [] : longKey.errors).toEqual([
      expect.stringContaining('is 300 characters long, over the limit of 256'),
    ]);
    for (const text of [
      JSON.stringify({ ...document, constructor: { a: 1 } }),
      JSON.stringify({ ...document, limits: { constructor: 'x' } }),
      '{"__proto__": {"id": "x"}, "constructor": 1}',
    ]) {
      // An answer either way (a `constructor` key beside valid fields is ignored like data).
      const loaded = parseWorkflow(text, { format: 'json' });
      if (!loaded.ok) expect(loaded.errors.length).toBeGreaterThan(0);
    }
    expect(
      parseWorkflow('{"__proto__": {"id": "x"}, "constructor": 1}', { format: 'json' }).ok,
    ).toBe(false);
  });

  it('still reads JSON, by option, file name or content', () => {
    const json = JSON.stringify({ formatVersion: 2 });
    for (const loaded of [
      parseWorkflow(json),
      parseWorkflow(json, { format: 'json' }),
      parseWorkflow(json, { fileName: 'workflow.json' }),
    ]) {
      expect(errorsOf(loaded)[0]).toBe('formatVersion: formatVersion must be equal to 1');
    }
    expect(errorsOf(parseWorkflow('{"id": ', { format: 'json' }))[0]).toMatch(
      /^\(root\): not valid JSON: /,
    );
  });
});

describe(WorkflowCatalog.name, () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const folder = (name: string, files: Record<string, string>) => {
    mkdirSync(join(dir, name));
    for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, name, file), text);
  };

  it('loads workflow.yaml and workflow.json folders, and ignores folders without either', () => {
    dir = mkdtempSync(join(tmpdir(), 'baton-workflows-'));
    folder('billing-dispute', { 'workflow.yaml': billing });
    folder('billing-dispute-v2', {
      'workflow.json': JSON.stringify({
        ...(parseYaml(billing) as object),
        version: 2,
      }),
    });
    folder('notes', { 'README.md': '# not a workflow' });
    const catalog = WorkflowCatalog.fromDirectory(dir);
    expect(catalog.all().map((w) => `${w.id}@${w.version}`)).toEqual([
      'billing-dispute@1',
      'billing-dispute@2',
    ]);
    expect(catalog.latest('billing-dispute')?.version).toBe(2);
  });

  it('throws listing every error of every file, each with its file', () => {
    dir = mkdtempSync(join(tmpdir(), 'baton-workflows-'));
    folder('a', { 'workflow.yaml': edited(['  maxSteps: 20', '  maxSteps: 0']) });
    folder('b', { 'workflow.yaml': billing, 'workflow.json': '{}' });
    folder('c', { 'workflow.yaml': 'id: [\n' });
    const thrown = (() => {
      try {
        WorkflowCatalog.fromDirectory(dir);
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(thrown).toContain(
      `${join(dir, 'a', 'workflow.yaml')}: limits.maxSteps: maxSteps must not be less than 1 (line`,
    );
    expect(thrown).toContain(`${join(dir, 'b')}: holds workflow.yaml and workflow.json; keep one`);
    expect(thrown).toContain(`${join(dir, 'c', 'workflow.yaml')}: (root): not valid YAML`);
  });
});
