import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join, relative, resolve } from 'node:path';
import type { WorkflowDefinition, WorkflowProblem } from '@baton/workflow';
import { CASE_NAME, readCase } from './read-case.js';
import type { WorkflowCase } from './workflow-case.js';

/** One file and what is wrong with it, each problem as `path: message (line L, column C)`. */
export interface InvalidFile {
  file: string;
  problems: WorkflowProblem[];
  errors: string[];
}

export type LoadedCases =
  | {
      ok: true;
      workflow: WorkflowDefinition;
      /** The definition's digest, as the registry computes it. */
      digest: string;
      dir: string;
      cases: WorkflowCase[];
    }
  /** The folder or its definition cannot be used: one line says why. */
  | { ok: false; kind: 'not-found'; message: string }
  /** Definition or case files with problems: all of them, by path. */
  | { ok: false; kind: 'invalid'; files: InvalidFile[] };

const WORKFLOW_FILES = ['workflow.yaml', 'workflow.json'];

/**
 * A workflow's cases: `<dir>/cases/*.yaml` next to its definition. `workflow` is a folder
 * (`workflows/billing-dispute`) or a workflow id, looked up in `BATON_WORKFLOWS_DIR` (else
 * `./workflows`). Every case is checked against the format and the definition; one bad file
 * fails the load, listing the problems of every file.
 */
export async function loadCases(
  workflow: string,
  io: { cwd: string; env: NodeJS.ProcessEnv },
  only?: string,
): Promise<LoadedCases> {
  const { describeProblem, parseLocatedYaml, parseWorkflow, workflowDigest } =
    await import('@baton/workflow');
  const show = (file: string) => relative(io.cwd, file) || file;
  const dir = workflowDir(workflow, io);
  if (!dir.ok) return { ok: false, kind: 'not-found', message: dir.message };

  const definitionFile = WORKFLOW_FILES.map((name) => join(dir.path, name)).find((file) =>
    existsSync(file),
  );
  if (!definitionFile) {
    return {
      ok: false,
      kind: 'not-found',
      message: `${show(dir.path)} holds no workflow definition (${WORKFLOW_FILES.join(' or ')})`,
    };
  }
  const definition = parseWorkflow(readFileSync(definitionFile, 'utf8'), {
    fileName: definitionFile,
  });
  if (!definition.ok) {
    return {
      ok: false,
      kind: 'invalid',
      files: [
        { file: show(definitionFile), problems: definition.problems, errors: definition.errors },
      ],
    };
  }
  const casesDir = join(dir.path, 'cases');
  if (!existsSync(casesDir) || !statSync(casesDir).isDirectory()) {
    return {
      ok: false,
      kind: 'not-found',
      message: `${show(dir.path)} has no cases folder: write cases as ${show(casesDir)}/<case-name>.yaml (docs/cases.md)`,
    };
  }

  const invalid: InvalidFile[] = [];
  const fail = (file: string, problems: WorkflowProblem[]) =>
    invalid.push({ file: show(file), problems, errors: problems.map(describeProblem) });
  const cases: WorkflowCase[] = [];
  const entries = readdirSync(casesDir, { withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name)
    .sort();
  for (const entry of entries) {
    const file = join(casesDir, entry);
    const extension = extname(entry);
    // Other files (notes, a README) may live next to the cases; these look like cases.
    if (['.yml', '.json'].includes(extension)) {
      fail(file, [
        {
          path: '(root)',
          message: `case files end in .yaml; rename it to ${basename(entry, extension)}.yaml`,
        },
      ]);
      continue;
    }
    if (extension !== '.yaml') continue;
    const name = basename(entry, '.yaml');
    if (!CASE_NAME.test(name)) {
      fail(file, [
        {
          path: '(root)',
          message: 'the file name is the case name: lowercase letters, digits and dashes',
        },
      ]);
      continue;
    }
    if (only !== undefined && name !== only) continue;
    const parsed = parseLocatedYaml(readFileSync(file, 'utf8'));
    if ('problems' in parsed) {
      fail(file, parsed.problems);
      continue;
    }
    const read = readCase(parsed.value, { name, file: show(file) }, definition.workflow);
    if (read.ok) cases.push(read.workflowCase);
    else
      fail(
        file,
        read.problems.map((p) => ({ ...p, ...parsed.locate?.(p.path) })),
      );
  }
  if (invalid.length) return { ok: false, kind: 'invalid', files: invalid };
  if (only !== undefined && cases.length === 0) {
    const names = entries.filter((e) => e.endsWith('.yaml')).map((e) => basename(e, '.yaml'));
    return {
      ok: false,
      kind: 'not-found',
      message: `no case ${JSON.stringify(only)} in ${show(casesDir)}${names.length ? ` (cases: ${names.join(', ')})` : ''}`,
    };
  }
  if (cases.length === 0) {
    return {
      ok: false,
      kind: 'not-found',
      message: `${show(casesDir)} holds no case files (<case-name>.yaml, docs/cases.md)`,
    };
  }
  return {
    ok: true,
    workflow: definition.workflow,
    digest: workflowDigest(definition.document),
    dir: dir.path,
    cases,
  };
}

/** The workflow folder: a path that exists, else `<workflows dir>/<id>`. */
function workflowDir(
  workflow: string,
  io: { cwd: string; env: NodeJS.ProcessEnv },
): { ok: true; path: string } | { ok: false; message: string } {
  const direct = resolve(io.cwd, workflow);
  if (existsSync(direct) && statSync(direct).isDirectory()) return { ok: true, path: direct };
  const root = resolve(io.cwd, io.env['BATON_WORKFLOWS_DIR'] || 'workflows');
  const byId = join(root, workflow);
  if (!workflow.includes('/') && existsSync(byId) && statSync(byId).isDirectory()) {
    return { ok: true, path: byId };
  }
  const known = existsSync(root)
    ? readdirSync(root, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && !entry.name.startsWith('_'))
        .map((entry) => entry.name)
    : [];
  const where = relative(io.cwd, root) || root;
  return {
    ok: false,
    message: `no workflow folder ${JSON.stringify(workflow)} (neither a folder nor ${where}/${workflow})${known.length ? `; workflows in ${where}: ${known.join(', ')}` : ''}`,
  };
}
