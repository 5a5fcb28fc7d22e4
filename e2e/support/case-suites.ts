// Running the example workflows' case suites with `baton cases`, as a user would, against any
// running Baton (the distributed system or the embedded process).
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { HelpdeskTestServer, REPO_ROOT, TEST_KEYS } from '@baton/testing';
import { parse as parseYaml } from 'yaml';
import { baton } from './baton-cli.js';

const WORKFLOWS = join(REPO_ROOT, 'workflows');

/**
 * The example workflows Baton ships. Their suites must have at least 8 cases; a workflow of your
 * own in workflows/ (docs/first-workflow.md writes one with 4) runs too, held to no such bar.
 */
export const EXAMPLE_WORKFLOWS = [
  'billing-dispute',
  'document-intake',
  'help-desk',
  'lead-qualification',
  'weekly-briefing',
];

/** The fewest cases a suite of this workflow may have: 8 for an example, else 1. */
export function minimumCases(workflow: string): number {
  return EXAMPLE_WORKFLOWS.includes(workflow) ? 8 : 1;
}

/** Workflow folders that hold cases, found anew on every run: a new folder is picked up. */
export function workflowsWithCases(): string[] {
  return readdirSync(WORKFLOWS, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(WORKFLOWS, entry.name, 'cases')))
    .map((entry) => entry.name)
    .sort();
}

interface CasesAnswer {
  passed: boolean;
  total: number;
  cases: Array<{
    name: string;
    passed: boolean;
    runId?: string;
    differences: Array<{ field: string; expected: string; actual: string }>;
  }>;
}

export interface SuiteResult {
  code: number;
  total: number;
  /** One block per failed case: its name, its run, and each difference. Empty: all passed. */
  failures: string;
}

/** `baton cases <workflow> --json` against the Baton at these URLs, serving the scripted model on `modelPort`. */
export async function runCaseSuite(
  workflow: string,
  target: { triggerUrl: string; escalationUrl: string; modelPort: number },
): Promise<SuiteResult> {
  const { code, stdout, stderr } = await baton([
    'cases',
    workflow,
    '--json',
    '--key',
    TEST_KEYS.admin,
    '--trigger-url',
    target.triggerUrl,
    '--escalation-url',
    target.escalationUrl,
    '--model-port',
    String(target.modelPort),
  ]);
  let answer: CasesAnswer;
  try {
    answer = JSON.parse(stdout) as CasesAnswer;
  } catch {
    throw new Error(
      `baton cases ${workflow} exited ${code} without a JSON answer:\n${stdout}\n${stderr}`,
    );
  }
  const failures = answer.cases
    .filter((result) => !result.passed)
    .map(
      (result) =>
        `FAIL ${result.name}${result.runId ? ` (run ${result.runId})` : ''}\n${result.differences
          .map((d) => `    ${d.field}: expected ${d.expected}, got ${d.actual}`)
          .join('\n')}`,
    );
  return { code, total: answer.total, failures: failures.join('\n') };
}

/**
 * A free port below the ephemeral range, so the services' ports (chosen from the ephemeral
 * range once they start) can never take it before the cases command listens.
 */
export async function freeFixedPort(): Promise<number> {
  for (let tries = 0; tries < 50; tries += 1) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port from 20000 to 29999 for the scripted model');
}

/**
 * A workflows folder holding the examples (linked) and the files docs/first-workflow.md tells a
 * new user to write, taken from the page itself (each block after `<!-- file: <path> -->`), so
 * the guide is tested as written. Returns the folder and the guide's workflow folder.
 */
export function workflowsWithGuide(): { dir: string; guideWorkflow: string } {
  const page = readFileSync(join(REPO_ROOT, 'docs/first-workflow.md'), 'utf8');
  const blocks = [...page.matchAll(/<!-- file: (\S+) -->\s*```\w*\n([\s\S]*?)```/g)];
  if (blocks.length === 0) throw new Error('docs/first-workflow.md has no <!-- file: … --> blocks');
  const root = mkdtempSync(join(tmpdir(), 'baton-guide-'));
  const dir = join(root, 'workflows');
  mkdirSync(dir);
  const folders = new Set<string>();
  for (const [path] of blocks.map((block) => block.slice(1))) {
    if (!path!.startsWith('workflows/')) throw new Error(`guide file outside workflows/: ${path}`);
    folders.add(path!.split('/')[1]!);
  }
  // The examples, linked; not a folder the guide writes, which a reader who followed it has in
  // workflows/ already: the page's files are written to a folder of their own, never into theirs.
  for (const name of readdirSync(WORKFLOWS)) {
    if (!folders.has(name)) symlinkSync(join(WORKFLOWS, name), join(dir, name));
  }
  for (const [, path, text] of blocks) {
    const file = join(root, path!);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text!);
  }
  if (folders.size !== 1)
    throw new Error(`the guide writes ${[...folders].join(', ')}: expected one workflow`);
  return { dir, guideWorkflow: join(dir, [...folders][0]!) };
}

/**
 * A file of its own for the example CRM (lead-qualification's MCP server, the reference memory
 * server of workflows/mcp-servers.yaml), so what a suite records is all the file holds.
 */
export function exampleCrmFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'baton-crm-')), 'example-crm.jsonl');
}

interface WrittenCase {
  trigger: { data?: Record<string, unknown> };
  earlier?: Array<{ data?: Record<string, unknown> }>;
  expect: { writes?: Array<{ tool: string; args?: Record<string, unknown> }> };
}

const email = (value: unknown) => (typeof value === 'string' ? value.trim().toLowerCase() : '');

/**
 * What lead-qualification's suite left in the CRM, against its cases: every lead a case expects
 * `create-lead` to record is there (an entity of type `lead` named by the address, with its
 * segment), and nothing else is: no address a message named, no lead for a case that records
 * none. Earlier runs of a case may record their own sender too. Empty when it all holds.
 */
export function crmLeadsProblem(file: string): string {
  const folder = join(WORKFLOWS, 'lead-qualification', 'cases');
  const expected = new Map<string, unknown>();
  const allowed = new Set<string>();
  for (const name of readdirSync(folder).filter((f) => f.endsWith('.yaml'))) {
    const written = parseYaml(readFileSync(join(folder, name), 'utf8')) as WrittenCase;
    for (const earlier of written.earlier ?? []) allowed.add(email(earlier.data?.['email']));
    for (const write of written.expect.writes ?? []) {
      if (write.tool !== 'create-lead') continue;
      const address = email(write.args?.['email'] ?? written.trigger.data?.['email']);
      expected.set(address, write.args?.['segment']);
      allowed.add(address);
    }
  }
  const entities = existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line.trim())
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((item) => item['type'] === 'entity')
    : [];
  const recorded = new Map(entities.map((entity) => [email(entity['name']), entity]));
  const problems: string[] = [];
  for (const [address, segment] of expected) {
    const entity = recorded.get(address);
    if (!entity) problems.push(`no lead ${address} in the CRM`);
    else if (
      segment !== undefined &&
      !(entity['observations'] as string[]).includes(`segment: ${String(segment)}`)
    )
      problems.push(`the lead ${address} lacks "segment: ${String(segment)}"`);
  }
  for (const [address, entity] of recorded) {
    if (!allowed.has(address)) problems.push(`a lead no case records: ${address}`);
    if (entity['entityType'] !== 'lead')
      problems.push(`${address} is a ${String(entity['entityType'])}`);
  }
  return problems.join('\n');
}

/**
 * The help desk help-desk's `send-answer` posts to, on loopback, and the settings that point a
 * Baton at it: the endpoint, the token as a secret, and the allow-list.
 */
export async function exampleHelpdesk(): Promise<{
  server: HelpdeskTestServer;
  env: Record<string, string>;
}> {
  const token = `hd-${Math.random().toString(36).slice(2)}`;
  const server = await HelpdeskTestServer.start(token);
  return {
    server,
    env: {
      BATON_ENDPOINTS: `helpdesk=${server.url}`,
      BATON_SECRET_HELPDESK_TOKEN: token,
      BATON_OUTBOUND_ALLOWED_HOSTS: '127.0.0.1',
    },
  };
}

/**
 * What help-desk's suite posted to the help desk, against its cases: one answer per answer a
 * case expects `send-answer` to send (to the employees the cases name), none for a case that
 * opens a ticket or escalates, and never two for one run. Empty when it all holds.
 */
export function helpdeskAnswersProblem(server: HelpdeskTestServer): string {
  const folder = join(WORKFLOWS, 'help-desk', 'cases');
  const expected: string[] = [];
  for (const name of readdirSync(folder).filter((f) => f.endsWith('.yaml'))) {
    const written = parseYaml(readFileSync(join(folder, name), 'utf8')) as WrittenCase;
    for (const write of written.expect.writes ?? [])
      if (write.tool === 'send-answer') expected.push(String(write.args?.['employeeId']));
  }
  const posted = server.answers.map((answer) => String(answer.body['employeeId']));
  const problems: string[] = [];
  if (JSON.stringify(posted.sort()) !== JSON.stringify(expected.sort()))
    problems.push(
      `answers to ${posted.join(', ') || 'nobody'}; the cases send ${expected.join(', ') || 'none'}`,
    );
  const runs = server.answers.map((answer) => String(answer.body['runId']));
  const twice = runs.filter((run, i) => runs.indexOf(run) !== i);
  if (twice.length) problems.push(`runs that answered twice: ${[...new Set(twice)].join(', ')}`);
  return problems.join('\n');
}
