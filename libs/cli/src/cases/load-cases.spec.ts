import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCases } from './load-cases.js';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const WORKFLOWS = join(REPO, 'workflows');
const tmp = mkdtempSync(join(tmpdir(), 'baton-cases-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A copy of the billing-dispute folder holding only these case files (and `trigger.dedup`). */
function workflowWith(cases: Record<string, string>, duplicates?: 'join' | 'refuse'): string {
  const dir = mkdtempSync(join(tmp, 'wf-'));
  cpSync(join(WORKFLOWS, 'billing-dispute', 'workflow.yaml'), join(dir, 'workflow.yaml'));
  if (duplicates) {
    const file = join(dir, 'workflow.yaml');
    const dedup = `  dedup: { key: trigger.data.customerId, window: 7d, duplicates: ${duplicates} }\n`;
    writeFileSync(file, readFileSync(file, 'utf8').replace(/\ntrigger:\n/, `\ntrigger:\n${dedup}`));
  }
  mkdirSync(join(dir, 'cases'));
  for (const [name, text] of Object.entries(cases)) writeFileSync(join(dir, 'cases', name), text);
  return dir;
}

const io = { cwd: tmp, env: {} };

const VALID = `formatVersion: 1
description: A small structured dispute.
trigger:
  eventType: billing.dispute.opened
  data: { customerId: cus_1001, invoiceId: inv_2002, disputedAmount: 18, message: twice }
expect:
  status: completed
  writes:
    - tool: issue-credit
      args: { amount: 18 }
`;

describe(loadCases.name, () => {
  it('reads valid cases, with the defaults filled in', async () => {
    const loaded = await loadCases(
      workflowWith({ 'small.yaml': VALID, 'notes.md': '# not a case' }),
      io,
    );
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.workflow.id).toBe('billing-dispute');
    expect(loaded.cases).toEqual([
      expect.objectContaining({
        name: 'small',
        tags: [],
        model: [],
        review: [],
        trigger: expect.objectContaining({ repeat: 1, eventType: 'billing.dispute.opened' }),
        expect: { status: 'completed', writes: [{ tool: 'issue-credit', args: { amount: 18 } }] },
      }),
    ]);
  });

  it('reports every problem of every file by path and line, and runs nothing', async () => {
    const dir = workflowWith({
      'a-ok.yaml': VALID,
      'bad.yaml': `formatVersion: 2
description: |
  two
  lines
tags: [Angry]
trigger:
  eventType: ticket.opened
  data: { message: no customer }
  repeat: 0
  dataFile: big.txt
model:
  - reply: { next: act }
    text: both
  - status: 200
review:
  - approve: { args: 5, tool: refund-all }
  - reject: {}
expect:
  status: done
  writes:
    - tool: search-policy
    - tool: refund-all
  refused:
    - tool: issue-credit
  colour: red
`,
      'broken.yaml': 'formatVersion: 1\ndescription: [unclosed\n',
      'Upper.yaml': VALID,
      'other.yml': VALID,
    });
    const loaded = await loadCases(dir, io);
    expect(loaded).toMatchObject({ ok: false, kind: 'invalid' });
    if (loaded.ok || loaded.kind !== 'invalid') return;
    const byFile = Object.fromEntries(loaded.files.map((f) => [f.file.split('/').pop(), f.errors]));
    expect(Object.keys(byFile).sort()).toEqual([
      'Upper.yaml',
      'bad.yaml',
      'broken.yaml',
      'other.yml',
    ]);
    expect(byFile['bad.yaml']).toEqual([
      'formatVersion: must be 1 (line 1, column 1)',
      'description: must be one line (the case in a sentence) (line 2, column 1)',
      'tags.0: must be a kebab-case word (incomplete, angry, injection, …) (line 5, column 8)',
      'trigger.dataFile: is not supported: keep the data inline (a YAML block scalar `|` holds long text) (line 10, column 3)',
      'trigger.repeat: must be a whole number from 1 to 10 (line 9, column 3)',
      'model.0: must hold exactly one of reply (a decision), text (raw content), status (line 12, column 5)',
      'model.1.status: must be an HTTP error status from 400 to 599 (line 14, column 5)',
      'review.0.approve.args: expected a mapping, got number (line 16, column 16)',
      'review.1.reject.reason: is required (line 17, column 5)',
      'expect.colour: unknown field (expected one of: status, escalated, escalationReason, label, reason, writes, refused, blocked, duplicate) (line 25, column 3)',
      'expect.status: must be one of completed, rejected, failed, cancelled, waiting (line 19, column 3)',
      'trigger.eventType: billing-dispute does not accept "ticket.opened" (trigger.eventTypes: support.ticket.created, billing.dispute.opened) (line 7, column 3)',
      'trigger.data: lacks customerId, which billing-dispute requires (trigger.required): the trigger service refuses such an event and no run starts (line 8, column 3)',
      'review.0.approve.tool: billing-dispute does not grant refund-all (tools: issue-credit, draft-reply, search-policy) (line 16, column 25)',
    ]);
    expect(byFile['broken.yaml']![0]).toMatch(
      /^\(root\): not valid YAML: .* \(line \d+, column \d+\)$/,
    );
    expect(byFile['Upper.yaml']).toEqual([
      '(root): the file name is the case name: lowercase letters, digits and dashes',
    ]);
    expect(byFile['other.yml']).toEqual([
      '(root): case files end in .yaml; rename it to other.yaml',
    ]);
  });

  it('checks a case against the workflow definition', async () => {
    const dir = workflowWith({
      'cross.yaml': `formatVersion: 1
description: Names things billing-dispute does not have.
trigger:
  eventType: ticket.opened
  data: { customerId: cus_1001 }
review:
  - approve: { tool: refund-all }
expect:
  status: completed
  writes:
    - tool: search-policy
    - tool: refund-all
  refused:
    - tool: issue-credit
`,
    });
    const loaded = await loadCases(dir, io);
    if (loaded.ok || loaded.kind !== 'invalid') throw new Error('expected invalid');
    expect(loaded.files[0]!.errors).toEqual([
      'trigger.eventType: billing-dispute does not accept "ticket.opened" (trigger.eventTypes: support.ticket.created, billing.dispute.opened) (line 4, column 3)',
      'trigger.data: lacks message, which billing-dispute requires (trigger.required): the trigger service refuses such an event and no run starts (line 5, column 3)',
      'review.0.approve.tool: billing-dispute does not grant refund-all (tools: issue-credit, draft-reply, search-policy) (line 7, column 16)',
      'expect.writes.0.tool: search-policy is a read tool of billing-dispute: writes lists write tools (issue-credit, draft-reply) (line 11, column 7)',
      'expect.writes.1.tool: billing-dispute does not grant refund-all: a workflow writes only with its write tools (issue-credit, draft-reply) (line 12, column 7)',
      'expect.refused.0.tool: billing-dispute grants issue-credit, so it is never refused as ungranted (line 14, column 7)',
    ]);
  });

  describe('a case whose event is a duplicate of an earlier run (expect.duplicate)', () => {
    const JOINED = `formatVersion: 1
description: The same dispute again, from the help desk.
earlier:
  - eventType: billing.dispute.opened
    data: { customerId: cus_1001, invoiceId: inv_2002, disputedAmount: 18, message: twice }
trigger:
  eventType: support.ticket.created
  data: { customerId: cus_1001, message: twice }
expect: { status: completed, duplicate: joined }
`;

    it('reads it when the workflow joins such events', async () => {
      const loaded = await loadCases(workflowWith({ 'joined.yaml': JOINED }, 'join'), io);
      if (!loaded.ok) throw new Error(JSON.stringify(loaded));
      expect(loaded.cases[0]!.expect).toEqual({ status: 'completed', duplicate: 'joined' });
    });

    it('needs an earlier run, no model answers or review, and the answer the workflow gives', async () => {
      const dir = workflowWith(
        {
          'alone.yaml': `formatVersion: 1
description: A duplicate of nothing, asking the model, reviewed.
trigger:
  eventType: support.ticket.created
  data: { customerId: cus_1001, message: twice }
model:
  - reply: { next: escalate, label: unclear, confidence: 0.5, rationale: r }
review:
  - reject: { reason: No. }
expect: { status: completed, duplicate: refused }
`,
          'maybe.yaml': JOINED.replace('duplicate: joined', 'duplicate: maybe'),
        },
        'join',
      );
      const loaded = await loadCases(dir, io);
      if (loaded.ok || loaded.kind !== 'invalid') throw new Error('expected invalid');
      const byFile = Object.fromEntries(
        loaded.files.map((f) => [f.file.split('/').pop(), f.errors]),
      );
      expect(byFile['alone.yaml']).toEqual([
        'expect.duplicate: needs an earlier run for the event to be a duplicate of (line 10, column 30)',
        'model: expect.duplicate: refused starts no run of its own, so nothing asks the model (line 6, column 1)',
        'review: expect.duplicate: refused starts no run of its own, so there is no task to review (line 8, column 1)',
        'expect.duplicate: billing-dispute joins the same business event (trigger.dedup.duplicates: join): expect.duplicate: joined (line 10, column 30)',
      ]);
      expect(byFile['maybe.yaml']).toEqual([
        'expect.duplicate: must be one of joined, refused (line 9, column 30)',
      ]);
    });

    it('refuses it for a workflow without trigger.dedup: a new key always starts a run', async () => {
      const loaded = await loadCases(workflowWith({ 'joined.yaml': JOINED }), io);
      if (loaded.ok || loaded.kind !== 'invalid') throw new Error('expected invalid');
      expect(loaded.files[0]!.errors).toEqual([
        'expect.duplicate: billing-dispute declares no trigger.dedup: an event under a new idempotency key always starts a run (line 9, column 30)',
      ]);
    });
  });

  it('reads earlier runs, expected refusals of approvals and blocked proposals', async () => {
    const loaded = await loadCases(
      workflowWith({
        'second-credit.yaml': `formatVersion: 1
description: The invoice was credited in an earlier run.
earlier:
  - eventType: billing.dispute.opened
    data: { customerId: cus_1001, invoiceId: inv_2002, disputedAmount: 18, message: twice }
  - eventType: support.ticket.created
    source: zendesk
    data: { customerId: cus_1001, message: again }
    model:
      - reply: { next: escalate, label: unclear, confidence: 0.5, rationale: r }
trigger:
  eventType: billing.dispute.opened
  data: { customerId: cus_1001, invoiceId: inv_2002, disputedAmount: 18, message: twice }
review:
  - approve: { args: { amount: 600 } }
    refused: '~above the maximum'
  - reject: { reason: No. }
expect:
  status: rejected
  blocked:
    - tool: issue-credit
      reason: '~one-credit-per-invoice'
    - tool: draft-reply
`,
      }),
      io,
    );
    if (!loaded.ok) throw new Error(JSON.stringify(loaded));
    expect(loaded.cases[0]).toMatchObject({
      earlier: [
        {
          eventType: 'billing.dispute.opened',
          data: { invoiceId: 'inv_2002' },
          model: [],
        },
        {
          eventType: 'support.ticket.created',
          source: 'zendesk',
          model: [{ reply: { next: 'escalate' } }],
        },
      ],
      review: [
        { approve: { args: { amount: 600 } }, refused: '~above the maximum' },
        { reject: { reason: 'No.' } },
      ],
      expect: {
        blocked: [
          { tool: 'issue-credit', reason: '~one-credit-per-invoice' },
          { tool: 'draft-reply' },
        ],
      },
    });
    expect(loaded.cases[0]!.earlier[0]).not.toHaveProperty('source');
  });

  it('reports what is wrong with earlier runs, refusals and blocked proposals', async () => {
    const loaded = await loadCases(
      workflowWith({
        'bad.yaml': `formatVersion: 1
description: Everything new, wrong.
earlier:
  - eventType: ticket.opened
    data: { message: no customer }
    repeat: 2
    model:
      - status: 200
  - data: 5
trigger:
  eventType: billing.dispute.opened
  data: { customerId: cus_1001, message: x }
review:
  - reject: { reason: No. }
    refused: '~never'
  - approve: {}
    refused: ''
  - refused: '~alone'
expect:
  status: waiting
  blocked:
    - tool: refund-all
    - { reason: '~no tool' }
    - tool: issue-credit
      colour: red
`,
      }),
      io,
    );
    if (loaded.ok || loaded.kind !== 'invalid') throw new Error('expected invalid');
    expect(loaded.files[0]!.errors).toEqual([
      'earlier.0.repeat: unknown field (expected one of: eventType, source, data, model) (line 6, column 5)',
      'earlier.0.model.0.status: must be an HTTP error status from 400 to 599 (line 8, column 9)',
      'earlier.1.eventType: is required (line 9, column 5)',
      'earlier.1.data: expected a mapping, got number (line 9, column 5)',
      'review.0.refused: only an approval can be refused (the approved action passes the guards); a rejection is always recorded (line 15, column 5)',
      'review.1.refused: expected text, got blank text (line 17, column 5)',
      'review.2: must hold exactly one of approve or reject (line 18, column 5)',
      'expect.blocked.1.tool: is required (line 23, column 7)',
      'expect.blocked.2.colour: unknown field (expected one of: tool, reason) (line 25, column 7)',
      'earlier.0.eventType: billing-dispute does not accept "ticket.opened" (trigger.eventTypes: support.ticket.created, billing.dispute.opened) (line 4, column 5)',
      'earlier.0.data: lacks customerId, which billing-dispute requires (trigger.required): the trigger service refuses such an event and no run starts (line 5, column 5)',
      'expect.blocked.0.tool: billing-dispute does not grant refund-all: an ungranted tool is refused before any guard sees it (expect.refused) (line 22, column 7)',
    ]);
  });

  it('says clearly when the folder, its definition, its cases folder or the named case is missing', async () => {
    expect(await loadCases('no-such-workflow', { cwd: REPO, env: {} })).toEqual({
      ok: false,
      kind: 'not-found',
      message: expect.stringMatching(
        /^no workflow folder "no-such-workflow" \(neither a folder nor workflows\/no-such-workflow\); workflows in workflows: .*billing-dispute/,
      ),
    });
    const empty = mkdtempSync(join(tmp, 'empty-'));
    expect(await loadCases(empty, io)).toMatchObject({
      kind: 'not-found',
      message: expect.stringMatching(/holds no workflow definition/),
    });
    const noCases = mkdtempSync(join(tmp, 'nocases-'));
    cpSync(join(WORKFLOWS, 'billing-dispute', 'workflow.yaml'), join(noCases, 'workflow.yaml'));
    expect(await loadCases(noCases, io)).toMatchObject({
      kind: 'not-found',
      message: expect.stringMatching(
        /has no cases folder: write cases as .*cases\/<case-name>\.yaml/,
      ),
    });
    expect(await loadCases(workflowWith({ 'small.yaml': VALID }), io, 'other')).toMatchObject({
      kind: 'not-found',
      message: expect.stringMatching(/no case "other" in .* \(cases: small\)/),
    });
  });

  it('finds a workflow by id in BATON_WORKFLOWS_DIR and runs only the named case', async () => {
    const dir = workflowWith({ 'one.yaml': VALID, 'two.yaml': VALID });
    const loaded = await loadCases(
      dir.split('/').pop()!,
      { cwd: REPO, env: { BATON_WORKFLOWS_DIR: tmp } },
      'two',
    );
    expect(loaded.ok && loaded.cases.map((c) => c.name)).toEqual(['two']);
  });
});

/**
 * The example workflows Baton ships in workflows/ (README, docs/workflows.md). Their case suites
 * are held to a bar: at least 8 cases, most of them ugly. A workflow of your own beside them
 * (docs/first-workflow.md has you write one, with 4 cases, to workflows/) only needs valid files.
 */
const EXAMPLES = [
  'billing-dispute',
  'document-intake',
  'help-desk',
  'lead-qualification',
  'weekly-briefing',
];

async function loadedCases(workflow: string, cwd: string) {
  const loaded = await loadCases(workflow, { cwd, env: {} });
  if (!loaded.ok) {
    throw new Error(
      loaded.kind === 'invalid'
        ? loaded.files.map((f) => `${f.file}\n  ${f.errors.join('\n  ')}`).join('\n')
        : loaded.message,
    );
  }
  return loaded.cases;
}

describe('the shipped cases', () => {
  const withCases = readdirSync(WORKFLOWS, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(WORKFLOWS, entry.name, 'cases')))
    .map((entry) => entry.name);

  it('every example workflow is there, with its cases', () => {
    expect(withCases).toEqual(expect.arrayContaining(EXAMPLES));
  });

  it.each(withCases)('%s: every case file is valid', async (workflow) => {
    expect((await loadedCases(workflow, REPO)).length).toBeGreaterThan(0);
  });

  it.each(EXAMPLES)('%s: at least 8 cases, most of them ugly', async (workflow) => {
    const cases = await loadedCases(workflow, REPO);
    expect(cases.length).toBeGreaterThanOrEqual(8);
    const ugly = cases.filter((c) => c.tags.length > 0);
    expect(ugly.length * 2).toBeGreaterThan(cases.length);
  });
});

describe("the guide's workflow (docs/first-workflow.md)", () => {
  it('is valid as the page writes it, with its 4 cases', async () => {
    // Each file the page has a new user create: the block after `<!-- file: <path> -->`.
    const page = readFileSync(join(REPO, 'docs/first-workflow.md'), 'utf8');
    const blocks = [...page.matchAll(/<!-- file: (\S+) -->\s*```\w*\n([\s\S]*?)```/g)];
    const root = mkdtempSync(join(tmp, 'guide-'));
    for (const [, path, text] of blocks) {
      expect(path).toMatch(/^workflows\/late-fee-waiver\//);
      mkdirSync(join(root, path!, '..'), { recursive: true });
      writeFileSync(join(root, path!), text!);
    }
    const cases = await loadedCases('late-fee-waiver', root);
    expect(cases.map((c) => c.name).sort()).toEqual([
      'injected-instructions',
      'large-fee-approved',
      'loyal-small-fee',
      'unknown-customer',
    ]);
  });
});
