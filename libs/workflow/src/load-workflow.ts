import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { decodeAs, parseJson } from '@baton/contracts';
import { WorkflowDefinition } from './workflow-definition.js';

export type Loaded = { ok: true; workflow: WorkflowDefinition } | { ok: false; errors: string[] };

/** Validates a definition: every problem at once, each with its path in the file. */
export function parseWorkflow(text: string): Loaded {
  const parsed = parseJson(text);
  if (!parsed.ok) return { ok: false, errors: parsed.errors };
  const decoded = decodeAs(WorkflowDefinition, parsed.value);
  if (!decoded.ok) return decoded;
  const errors = crossChecks(decoded.value);
  return errors.length ? { ok: false, errors } : { ok: true, workflow: decoded.value };
}

function crossChecks(workflow: WorkflowDefinition): string[] {
  const errors: string[] = [];
  const granted = new Set(workflow.tools.map((t) => t.name));
  workflow.decision.rules.forEach((rule, i) => {
    if (rule.then.next === 'act' && !rule.then.tool)
      errors.push(`decision.rules.${i}.then.tool: an "act" outcome names a tool`);
    if (rule.then.tool && !granted.has(rule.then.tool)) {
      errors.push(
        `decision.rules.${i}.then.tool: "${rule.then.tool}" is not a granted tool (${[...granted].join(', ')})`,
      );
    }
  });
  workflow.validation.approvals.forEach((approval, i) => {
    if (!granted.has(approval.tool))
      errors.push(`validation.approvals.${i}.tool: "${approval.tool}" is not a granted tool`);
  });
  workflow.tools.forEach((tool, i) => {
    const at = `tools.${i}`;
    if (tool.kind === 'sql' && (!tool.statement || !tool.params))
      errors.push(`${at}: a sql tool has statement and params`);
    if (tool.kind === 'sql' && tool.access === 'write' && !tool.params?.includes('key')) {
      errors.push(
        `${at}.params: a write tool binds "key" (its idempotency key) so it never runs twice`,
      );
    }
    if (
      tool.kind === 'sql' &&
      tool.access === 'read' &&
      tool.statement &&
      !/^\s*(select|with)\b/i.test(tool.statement)
    ) {
      errors.push(`${at}.statement: a read tool is a SELECT or WITH query`);
    }
    if (tool.kind === 'knowledge' && (!tool.collection || !tool.params?.length))
      errors.push(`${at}: a knowledge tool has collection and params`);
  });
  workflow.context.sources.forEach((source, i) => {
    const at = `context.sources.${i}`;
    if (source.kind === 'sql' && (!source.query || !source.params))
      errors.push(`${at}: a sql source has query and params`);
    if (source.kind === 'sql' && source.query && !/^\s*(select|with)\b/i.test(source.query)) {
      errors.push(`${at}.query: context queries are read-only (SELECT or WITH)`);
    }
    if (source.kind === 'knowledge' && (!source.collection || !source.params?.length)) {
      errors.push(
        `${at}: a knowledge source has collection and params (the path of the search text)`,
      );
    }
    if (source.kind === 'http' && !source.url) errors.push(`${at}.url: an http source has a url`);
  });
  return errors;
}

/** The workflows a service knows, by id and version. */
export class WorkflowCatalog {
  private readonly byKey = new Map<string, WorkflowDefinition>();

  constructor(workflows: WorkflowDefinition[]) {
    for (const workflow of workflows)
      this.byKey.set(`${workflow.id}@${workflow.version}`, workflow);
  }

  /** Loads `<dir>/<workflow>/workflow.json` for every workflow folder; throws listing every error. */
  static fromDirectory(dir: string): WorkflowCatalog {
    const problems: string[] = [];
    const workflows: WorkflowDefinition[] = [];
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = join(dir, entry.name, 'workflow.json');
      if (!entry.isDirectory() || !existsSync(file)) continue;
      const loaded = parseWorkflow(readFileSync(file, 'utf8'));
      if (loaded.ok) workflows.push(loaded.workflow);
      else problems.push(...loaded.errors.map((e) => `${file}: ${e}`));
    }
    if (problems.length)
      throw new Error(`invalid workflow definitions:\n  - ${problems.join('\n  - ')}`);
    return new WorkflowCatalog(workflows);
  }

  get(id: string, version: number): WorkflowDefinition | undefined {
    return this.byKey.get(`${id}@${version}`);
  }

  latest(id: string): WorkflowDefinition | undefined {
    let best: WorkflowDefinition | undefined;
    for (const workflow of this.byKey.values()) {
      if (workflow.id === id && (!best || workflow.version > best.version)) best = workflow;
    }
    return best;
  }

  all(): WorkflowDefinition[] {
    return [...this.byKey.values()];
  }
}
