import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync, type ValidationError } from 'class-validator';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { findShapeProblems, findUnstorableText, parseJson } from '@baton/contracts';
import { definitionProblems } from './cross-checks.js';
import { WorkflowDefinition } from './workflow-definition.js';

/** One thing wrong with a definition: where (its path in the file, and line in YAML) and what was expected. */
export interface WorkflowProblem {
  /** Dotted path in the file (`decision.rules.0.then.tool`), `(root)` for the whole file. */
  path: string;
  message: string;
  /** 1-based position in a YAML file, when known. */
  line?: number;
  column?: number;
}

export type Loaded =
  | {
      ok: true;
      workflow: WorkflowDefinition;
      /** The definition as plain JSON, as written (what the registry stores and digests). */
      document: Record<string, unknown>;
    }
  | { ok: false; errors: string[]; problems: WorkflowProblem[] };

export type WorkflowFormat = 'yaml' | 'json';

export interface ParseOptions {
  /** The file's format; otherwise taken from `fileName`, else JSON when the text starts with `{`. */
  format?: WorkflowFormat;
  /** Names the file (`workflow.yaml`), to tell its format. */
  fileName?: string;
}

/** The file names a workflow folder may hold, in order of preference. */
export const WORKFLOW_FILES = ['workflow.yaml', 'workflow.json'] as const;

/** `path: what was expected`, and the line and column in a YAML file. */
export function describeProblem(problem: WorkflowProblem): string {
  const at = problem.line ? ` (line ${problem.line}, column ${problem.column ?? 1})` : '';
  return `${problem.path}: ${problem.message}${at}`;
}

/**
 * Reads and validates a definition (YAML or JSON). Every problem is reported at once —
 * syntax, structure and the cross-field checks — each with its path in the file.
 */
export function parseWorkflow(text: string, options: ParseOptions = {}): Loaded {
  const format = options.format ?? formatOf(options.fileName, text);
  const parsed = format === 'yaml' ? parseYaml(text) : parseJsonText(text);
  if ('problems' in parsed) return failed(parsed.problems);

  if (parsed.value === null || typeof parsed.value !== 'object' || Array.isArray(parsed.value)) {
    return failed([
      {
        path: '(root)',
        message: `expected a mapping (the definition), got ${kindOf(parsed.value)}`,
      },
    ]);
  }
  // Nesting and key limits, and text Postgres cannot store, first: nothing below walks a
  // value that breaks them, and nothing stores it.
  const refused = [...findShapeProblems(parsed.value), ...findUnstorableText(parsed.value)];
  if (refused.length) return failed(refused.map(asProblem));
  let workflow: WorkflowDefinition;
  let problems: WorkflowProblem[];
  try {
    workflow = plainToInstance(WorkflowDefinition, parsed.value);
    const structural = flatten(
      validateSync(workflow, {
        forbidUnknownValues: true,
        whitelist: true,
        forbidNonWhitelisted: true,
        validationError: { target: true, value: true },
      }),
    );
    // The cross-field checks run on whatever parsed, so one pass reports everything.
    problems = [...structural, ...definitionProblems(parsed.value)].map((problem) => ({
      ...problem,
      ...parsed.locate?.(problem.path),
    }));
  } catch (error) {
    // Input the definition classes cannot take (a key such as `constructor` where a field
    // belongs): a problem with the definition, not a crash of whoever reads it.
    const name = error instanceof Error ? error.name : 'error';
    return failed([{ path: '(root)', message: `could not be read as a definition (${name})` }]);
  }
  return problems.length
    ? failed(problems)
    : { ok: true, workflow, document: parsed.value as Record<string, unknown> };
}

/** `path: message` (as the contract checks say it) as a problem. */
function asProblem(line: string): WorkflowProblem {
  const at = line.indexOf(': ');
  return { path: line.slice(0, at), message: line.slice(at + 2) };
}

type Position = { line: number; column: number };
type Parsed =
  | { value: unknown; locate?: (path: string) => Position | undefined }
  | { problems: WorkflowProblem[] };

function failed(problems: WorkflowProblem[]): Loaded {
  return { ok: false, errors: problems.map(describeProblem), problems };
}

function formatOf(fileName: string | undefined, text: string): WorkflowFormat {
  if (fileName) return /\.json$/i.test(fileName) ? 'json' : 'yaml';
  return text.trimStart().startsWith('{') ? 'json' : 'yaml';
}

function parseJsonText(text: string): Parsed {
  const parsed = parseJson(text);
  return parsed.ok
    ? { value: parsed.value }
    : { problems: parsed.errors.map((error) => splitError(error)) };
}

function splitError(error: string): WorkflowProblem {
  const at = error.indexOf(': ');
  return { path: error.slice(0, at), message: error.slice(at + 2) };
}

/**
 * YAML 1.2 (core schema: `yes` and `no` are text), duplicate keys rejected, aliases capped.
 * Syntax errors name their line and column; later problems are located by their path.
 */
function parseYaml(text: string): Parsed {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, lineCounter });
  const syntax = [...doc.errors, ...doc.warnings];
  if (syntax.length) {
    return {
      problems: syntax.map((error) => ({
        path: '(root)',
        // prettyErrors appends " at line L, column C:" and an excerpt; the position is kept apart.
        message: `not valid YAML: ${error.message.replace(/ at line \d+, column \d+:[\s\S]*$/, '')}`,
        line: error.linePos?.[0].line ?? 1,
        column: error.linePos?.[0].col ?? 1,
      })),
    };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return {
      problems: [{ path: '(root)', message: `not valid YAML: ${(error as Error).message}` }],
    };
  }
  const locate = (path: string): Position | undefined => {
    const offset = offsetOf(doc.contents, path === '(root)' ? [] : path.split('.'));
    if (offset === undefined) return undefined;
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  return { value, locate };
}

/** Where a path is in the document: its key, or the nearest part of it that exists. */
function offsetOf(node: unknown, parts: string[]): number | undefined {
  let current = node;
  let offset = (node as Node | null)?.range?.[0];
  for (const part of parts) {
    if (isMap(current)) {
      const pair = current.items.find(
        (item) => isScalar(item.key) && String(item.key.value) === part,
      );
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      current = pair.value;
    } else if (isSeq(current) && /^\d+$/.test(part)) {
      const item = current.items[Number(part)];
      if (!item) break;
      offset = (item as Node).range?.[0] ?? offset;
      current = item;
    } else {
      break;
    }
  }
  return offset;
}

/** class-validator's errors as problems: a missing field is "is required", an unknown one says what is known. */
function flatten(errors: ValidationError[], parent = ''): WorkflowProblem[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const constraints = error.constraints ?? {};
    if (constraints['whitelistValidation']) {
      const known = knownFields(error.target);
      return [
        {
          path,
          message: `unknown field${known.length ? ` (expected one of: ${known.join(', ')})` : ''}`,
        },
      ];
    }
    // A missing field breaks every rule on it; one message says what is wrong.
    if (error.value === undefined && error.constraints) return [{ path, message: 'is required' }];
    const own = Object.values(constraints).map((message) => ({ path, message }));
    return [...own, ...flatten(error.children ?? [], path)];
  });
}

function knownFields(target: object | undefined): string[] {
  if (!target) return [];
  const metadata = getMetadataStorage().getTargetValidationMetadatas(
    target.constructor,
    '',
    true,
    false,
  );
  return [...new Set(metadata.map((m) => m.propertyName))];
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'string' ? 'text' : typeof value;
}

/**
 * YAML read the way definitions are (YAML 1.2 core, duplicate keys refused, aliases capped):
 * the value and where a dotted path is in the text, or the syntax problems with their line.
 * Other files kept next to definitions (a workflow's cases) report their problems the same way.
 */
export { parseYaml as parseLocatedYaml, type Parsed as LocatedYaml };
