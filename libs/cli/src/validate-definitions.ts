import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { WorkflowProblem } from '@baton/workflow';
import { subfolders } from './folders.js';

/** One definition file and what the loader said about it. */
export type FileVerdict =
  | { file: string; ok: true; workflow: { id: string; version: number } }
  | {
      file: string;
      ok: false;
      problems: WorkflowProblem[];
      /** Each problem as one line: `path: message (line L, column C)`. */
      errors: string[];
    };

const WORKFLOW_FILES = ['workflow.yaml', 'workflow.json'];

/**
 * Validates workflow definitions the way the services load them: a file; a folder holding
 * `workflow.yaml` (or `.json`); or a folder of such folders (`workflows/`). Every problem of
 * every file is reported, by path; a folder holding both files, a folder with no definition
 * and two files defining the same id and version are problems too.
 */
export async function validateDefinitions(paths: string[], cwd: string): Promise<FileVerdict[]> {
  // Loaded on demand: the other commands start faster without the validation classes.
  const { describeProblem, parseWorkflow } = await import('@baton/workflow');
  const failed = (file: string, problems: WorkflowProblem[]): FileVerdict => ({
    file,
    ok: false,
    problems,
    errors: problems.map(describeProblem),
  });
  const show = (file: string) => relative(cwd, file) || file;
  const verdicts: FileVerdict[] = [];
  for (const given of paths) {
    const path = resolve(cwd, given);
    for (const found of definitionFiles(path)) {
      if ('problem' in found) {
        verdicts.push(failed(show(found.at), [{ path: '(root)', message: found.problem }]));
        continue;
      }
      const loaded = parseWorkflow(readFileSync(found.file, 'utf8'), { fileName: found.file });
      verdicts.push(
        loaded.ok
          ? {
              file: show(found.file),
              ok: true,
              workflow: { id: loaded.workflow.id, version: loaded.workflow.version },
            }
          : failed(show(found.file), loaded.problems),
      );
    }
  }
  return markDuplicates(verdicts, failed);
}

type Found = { file: string } | { at: string; problem: string };

function definitionFiles(path: string): Found[] {
  if (!existsSync(path)) return [{ at: path, problem: 'no such file or folder' }];
  if (statSync(path).isFile()) return [{ file: path }];
  const own = inFolder(path);
  if (own) return [own];
  const found = subfolders(path)
    .map((name) => inFolder(join(path, name)))
    .filter((f): f is Found => f !== undefined);
  return found.length
    ? found
    : [
        {
          at: path,
          problem: `no workflow definition here (${WORKFLOW_FILES.join(' or ')}, or folders holding one)`,
        },
      ];
}

function inFolder(dir: string): Found | undefined {
  const files = WORKFLOW_FILES.map((name) => join(dir, name)).filter((file) => existsSync(file));
  if (files.length > 1)
    return { at: dir, problem: `holds ${WORKFLOW_FILES.join(' and ')}; keep one` };
  return files[0] ? { file: files[0] } : undefined;
}

/** Two files with one id and version: the services would keep only one of them. */
function markDuplicates(
  verdicts: FileVerdict[],
  failed: (file: string, problems: WorkflowProblem[]) => FileVerdict,
): FileVerdict[] {
  const seen = new Map<string, string>();
  return verdicts.map((verdict) => {
    if (!verdict.ok) return verdict;
    const key = `${verdict.workflow.id}@${verdict.workflow.version}`;
    const first = seen.get(key);
    if (!first) {
      seen.set(key, verdict.file);
      return verdict;
    }
    return failed(verdict.file, [
      {
        path: 'version',
        message: `${verdict.workflow.id} version ${verdict.workflow.version} is also defined in ${first}; give each version its own number`,
      },
    ]);
  });
}
