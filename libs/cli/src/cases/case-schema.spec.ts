import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CASE_SCHEMA_FILE, workflowCaseSchema } from './case-schema.js';
import { readCase } from './read-case.js';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const WORKFLOWS = join(REPO, 'workflows');
const committed = join(REPO, 'docs', 'schemas', CASE_SCHEMA_FILE);

/** Every shipped case file: [path relative to the repo, its text]. */
const shipped = readdirSync(WORKFLOWS, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(WORKFLOWS, entry.name, 'cases')))
  .flatMap((entry) =>
    readdirSync(join(WORKFLOWS, entry.name, 'cases'))
      .filter((name) => name.endsWith('.yaml'))
      .map((name) => `workflows/${entry.name}/cases/${name}`),
  );

const valid = {
  formatVersion: 1,
  description: 'A case.',
  earlier: [
    {
      eventType: 'support.ticket.created',
      source: 'zendesk',
      data: { customerId: 'cus_1001' },
      model: [{ status: 503 }],
    },
    { eventType: 'support.ticket.created', data: { customerId: 'cus_1001' } },
  ],
  trigger: { eventType: 'support.ticket.created', data: { customerId: 'cus_1001' } },
  model: [{ reply: { next: 'escalate' } }, { text: 'no' }, { status: 500 }],
  review: [
    { approve: { args: { amount: 600 } }, refused: '~above the maximum' },
    { approve: {} },
    { approve: null },
    { reject: { reason: 'No.' } },
  ],
  expect: {
    status: 'waiting',
    writes: [{ tool: 'issue-credit', args: { amount: '~1' } }],
    refused: [{ tool: 'refund-all' }],
    blocked: [{ tool: 'issue-credit', reason: '~pinned' }, { tool: 'draft-reply' }],
  },
};

describe('the workflow case JSON Schema', () => {
  const schema = workflowCaseSchema();
  const validate = new Ajv2020.default({ strict: false, allErrors: true }).compile(schema);
  const read = (value: unknown) => readCase(value, { name: 'x', file: 'x.yaml' });

  it('matches the committed file (run `npm run docs:generate` after changing the case format)', () => {
    expect(JSON.parse(readFileSync(committed, 'utf8'))).toEqual(schema);
  });

  it('accepts what the case reader accepts', () => {
    expect(validate(valid), JSON.stringify(validate.errors)).toBe(true);
    expect(read(valid).ok).toBe(true);
  });

  it.each([
    ['a missing expect', { ...valid, expect: undefined }],
    ['an unknown field', { ...valid, colour: 'red' }],
    ['a model step with two answers', { ...valid, model: [{ text: 'a', status: 500 }] }],
    ['a 200 as a model error', { ...valid, model: [{ status: 200 }] }],
    ['a reject without a reason', { ...valid, review: [{ reject: {} }] }],
    ['an unknown status', { ...valid, expect: { status: 'done' } }],
    ['a second format version', { ...valid, formatVersion: 2 }],
    ['a dataFile', { ...valid, trigger: { ...valid.trigger, dataFile: 'x.txt' } }],
    ['a repeat of 0', { ...valid, trigger: { ...valid.trigger, repeat: 0 } }],
    ['a two-line description', { ...valid, description: 'a\nb' }],
    ['an earlier run without data', { ...valid, earlier: [{ eventType: 'x' }] }],
    ['an earlier run that repeats', { ...valid, earlier: [{ ...valid.earlier[1], repeat: 2 }] }],
    ['a refused rejection', { ...valid, review: [{ reject: { reason: 'No.' }, refused: '~x' }] }],
    ['a refusal without a decision', { ...valid, review: [{ refused: '~x' }] }],
    ['a blocked entry without a tool', { ...valid, expect: { status: 'waiting', blocked: [{}] } }],
    [
      'an unknown duplicate answer',
      { ...valid, expect: { status: 'waiting', duplicate: 'maybe' } },
    ],
  ])('rejects what the case reader rejects: %s', (_, value) => {
    const json = JSON.parse(JSON.stringify(value)) as unknown;
    expect(validate(json)).toBe(false);
    expect(read(json).ok).toBe(false);
  });

  it.each(shipped)('accepts the shipped case %s', (file) => {
    const text = readFileSync(join(REPO, file), 'utf8');
    expect(validate(parse(text)), JSON.stringify(validate.errors)).toBe(true);
    expect(text.split('\n')[0]).toBe(
      `# yaml-language-server: $schema=../../../docs/schemas/${CASE_SCHEMA_FILE}`,
    );
  });
});
