import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { compileExpression } from './cel/cel.js';
import type { Variables } from './cel/cel-checker.js';
import { aType, isNumeric, type CheckType } from './cel/cel-type.js';
import { httpProblems } from './http-checks.js';
import { mcpProblems } from './mcp-checks.js';
import type { WorkflowProblem } from './load-workflow.js';
import { compileOutputSchema } from './output-schema.js';
import { scopeTypes } from './scope-types.js';
import { ConditionSpec } from './workflow-definition.js';

/**
 * The checks that span fields (a rule's tool is granted, context queries are read-only, paths
 * name something the rule scope has, …). They read the parsed file as it is, before or despite
 * structural errors, so a definition's problems are all reported in one pass: every part is
 * checked only when it is there and has the right shape.
 */
export function definitionProblems(definition: unknown): WorkflowProblem[] {
  const problems: WorkflowProblem[] = [];
  const report = (path: string, message: string) => problems.push({ path, message });
  const root = object(definition) ?? {};

  const tools = Array.isArray(root['tools']) ? items(root['tools']) : undefined;
  const granted = tools && names(tools);
  const sources = items(object(root['context'])?.['sources']);
  const evidence = names(sources);
  const notGranted = (tool: string) =>
    granted && !granted.has(tool) ? `"${tool}" is not a granted tool` : undefined;

  // Paths of the rule scope (docs/run-protocol.md, "Rule scope"); checks and approvals also see args.
  const scopePath = (at: string, path: unknown, roots: readonly string[]) => {
    if (typeof path !== 'string') return;
    const [head, name] = path.split('.');
    if (!roots.includes(head!)) {
      report(at, `"${path}" is outside the scope: paths start with ${roots.join(', ')}`);
    } else if (head === 'evidence' && name && sources.length && !evidence.has(name)) {
      report(at, `"${path}": no context source is named "${name}" (${[...evidence].join(', ')})`);
    } else if (head === 'done' && name && granted && !granted.has(name)) {
      report(at, `"${path}": "${name}" is not a granted tool (${[...granted].join(', ')})`);
    }
  };
  const types = scopeTypes(root);
  /** Parses and type-checks a CEL expression; `expect` says what its value must be. */
  const expression = (
    at: string,
    source: unknown,
    scope: Variables,
    expect: 'condition' | 'value' | 'number',
  ) => {
    if (typeof source !== 'string' || !source.trim()) return;
    const compiled = compileExpression(source, scope);
    if (!compiled.ok) {
      for (const problem of compiled.problems)
        report(
          at,
          problem.offset === undefined
            ? problem.message
            : `${problem.message} (at character ${problem.offset + 1} of the expression)`,
        );
      return;
    }
    const problem = valueProblem(compiled.type, expect);
    if (problem) report(at, problem);
  };
  const conditions = (at: string, list: unknown, roots: readonly string[], scope: Variables) => {
    if (!Array.isArray(list)) return;
    list.forEach((item, i) => {
      if (typeof item === 'string') expression(`${at}.${i}`, item, scope, 'condition');
    });
    for (const [i, condition] of items(list)) {
      for (const error of validateSync(plainToInstance(ConditionSpec, condition), {
        whitelist: true,
        forbidNonWhitelisted: true,
      })) {
        const messages = error.constraints?.['whitelistValidation']
          ? ['unknown field (expected one of: path, op, value)']
          : error.value === undefined
            ? ['is required']
            : Object.values(error.constraints ?? {});
        for (const message of messages) report(`${at}.${i}.${error.property}`, message);
      }
      scopePath(`${at}.${i}.path`, condition['path'], roots);
      const op = condition['op'];
      const value = condition['value'];
      if (NUMERIC_OPS.has(op as string) && typeof value !== 'number')
        report(`${at}.${i}.value`, `"${String(op)}" compares numbers: expected a number`);
      if (op === 'in' && !Array.isArray(value))
        report(`${at}.${i}.value`, '"in" looks the value up in a list: expected a list');
      if (VALUE_OPS.has(op as string) && value === undefined)
        report(`${at}.${i}.value`, `"${String(op)}" compares with a value: is required`);
    }
  };

  const trigger = object(root['trigger']);
  conditions('trigger.filters', trigger?.['filters'], ['trigger'], types.trigger);
  expression('trigger.dedup.key', object(trigger?.['dedup'])?.['key'], types.trigger, 'value');

  const decision = object(root['decision']);
  for (const [i, rule] of items(decision?.['rules'])) {
    const at = `decision.rules.${i}`;
    conditions(`${at}.when`, rule['when'], RULE_SCOPE, types.rule);
    const then = object(rule['then']);
    if (!then) continue;
    if (then['next'] === 'act' && !then['tool'])
      report(`${at}.then.tool`, 'an "act" outcome names a tool');
    if (typeof then['tool'] === 'string' && granted && !granted.has(then['tool'])) {
      report(
        `${at}.then.tool`,
        `"${then['tool']}" is not a granted tool (${[...granted].join(', ')})`,
      );
    }
    for (const [path, template] of templates(then['args'], `${at}.then.args`))
      scopePath(path, template, RULE_SCOPE);
  }
  duplicates('decision.rules', items(decision?.['rules']), report);
  const outputSchema = object(object(decision?.['model'])?.['outputSchema']);
  if (outputSchema) {
    const compiled = compileOutputSchema(outputSchema);
    if (!compiled.ok) report('decision.model.outputSchema', compiled.problem);
  }

  const validation = object(root['validation']);
  for (const [i, approval] of items(validation?.['approvals'])) {
    const problem = typeof approval['tool'] === 'string' && notGranted(approval['tool']);
    if (problem) report(`validation.approvals.${i}.tool`, problem);
    conditions(`validation.approvals.${i}.when`, approval['when'], PROPOSAL_SCOPE, types.proposal);
  }
  for (const [i, check] of items(validation?.['checks'])) {
    const problem = typeof check['tool'] === 'string' && notGranted(check['tool']);
    if (problem) report(`validation.checks.${i}.tool`, problem);
    conditions(
      `validation.checks.${i}.failWhen`,
      check['failWhen'],
      PROPOSAL_SCOPE,
      types.proposal,
    );
  }

  for (const [i, tool] of tools ?? []) {
    const at = `tools.${i}`;
    const params = Array.isArray(tool['params']) ? (tool['params'] as unknown[]) : undefined;
    const statement = typeof tool['statement'] === 'string' ? tool['statement'] : undefined;
    if (tool['kind'] === 'sql' && (!statement || !params))
      report(at, 'a sql tool has statement and params');
    if (tool['kind'] === 'sql' && tool['access'] === 'write' && !params?.includes('key'))
      report(
        `${at}.params`,
        'a write tool binds "key" (its idempotency key) so it never runs twice',
      );
    if (
      tool['kind'] === 'sql' &&
      tool['access'] === 'read' &&
      statement &&
      !READ_ONLY.test(statement)
    )
      report(`${at}.statement`, 'a read tool is a SELECT or WITH query');
    if (tool['kind'] === 'knowledge' && (!tool['collection'] || !params?.length))
      report(at, 'a knowledge tool has collection and params');
    if (tool['kind'] === 'http') httpProblems(at, tool, 'tool', report);
    if (tool['kind'] === 'mcp') mcpProblems(at, tool, 'tool', report);
    if (Array.isArray(tool['requires'])) {
      (tool['requires'] as unknown[]).forEach((required, j) => {
        if (typeof required !== 'string') return;
        const problem = notGranted(required);
        if (problem) report(`${at}.requires.${j}`, problem);
        else if (required === tool['name'])
          report(`${at}.requires.${j}`, 'a tool cannot require itself');
      });
    }
    const pinned = object(tool['pinned']);
    for (const [arg, source] of Object.entries(pinned ?? {})) {
      if (typeof source !== 'string' || !source.trim())
        report(`${at}.pinned.${arg}`, 'a pinned argument is a CEL expression (text)');
      else expression(`${at}.pinned.${arg}`, source, types.rule, 'value');
    }
    const limits = items(tool['limits']);
    if (limits.length && tool['access'] !== 'write')
      report(`${at}.limits`, 'limits count the effects of a write tool; a read tool has none');
    for (const [j, limit] of limits) {
      const where = `${at}.limits.${j}`;
      expression(`${where}.key`, limit['key'], types.proposal, 'value');
      expression(`${where}.sum`, limit['sum'], types.proposal, 'number');
      expression(`${where}.maxSum`, limit['maxSum'], types.proposal, 'number');
      const hasSum = limit['sum'] !== undefined;
      const hasMax = limit['maxSum'] !== undefined;
      if (hasSum !== hasMax)
        report(
          where,
          'sum and maxSum go together: what a call adds, and the most the total may reach',
        );
      if (!hasSum && limit['maxCount'] === undefined)
        report(where, 'a limit has maxCount, or sum and maxSum (or both)');
    }
    duplicates(`${at}.limits`, limits, report);
    const resultChecks = items(tool['resultChecks']);
    if (resultChecks.length && tool['access'] !== 'write')
      report(
        `${at}.resultChecks`,
        'result checks look at what a write tool wrote; a read tool has none',
      );
    for (const [j, check] of resultChecks)
      expression(`${at}.resultChecks.${j}.expr`, check['expr'], types.result, 'condition');
  }
  duplicates('tools', tools ?? [], report);

  for (const [i, source] of sources) {
    const at = `context.sources.${i}`;
    const params = Array.isArray(source['params']) ? (source['params'] as unknown[]) : undefined;
    const query = typeof source['query'] === 'string' ? source['query'] : undefined;
    if (source['kind'] === 'sql' && (!query || !params))
      report(at, 'a sql source has query and params');
    if (source['kind'] === 'sql' && query && !READ_ONLY.test(query))
      report(`${at}.query`, 'context queries are read-only (SELECT or WITH)');
    if (source['kind'] === 'knowledge' && (!source['collection'] || !params?.length))
      report(at, 'a knowledge source has collection and params (the path of the search text)');
    if (source['kind'] === 'http') httpProblems(at, source, 'source', report);
    if (source['kind'] === 'mcp') mcpProblems(at, source, 'source', report);
  }
  duplicates('context.sources', sources, report);

  const escalation = object(root['escalation']);
  const show = escalation?.['show'];
  if (Array.isArray(show))
    show.forEach((path, i) => scopePath(`escalation.show.${i}`, path, PROPOSAL_SCOPE));
  escalationChainProblems(escalation, report);

  const publish = object(root['publish']);
  const requires = Array.isArray(publish?.['requires']) ? publish['requires'] : [];
  if (requires.includes('backtest') && publish?.['backtest'] === undefined)
    report('publish.backtest', 'a gate that requires backtest names its thresholds here');
  if (!requires.includes('backtest') && publish?.['backtest'] !== undefined)
    report('publish.backtest', 'thresholds for a backtest the gate does not require (requires)');

  return problems;
}

/**
 * The escalation chain: each step moves the task to another queue or notifies (or both), a
 * webhook is a fixed http(s) URL, and only a `leave` fallback names a queue (which it needs).
 * Whether a webhook's host may be called is the deployment's to say (BATON_NOTIFY_ALLOWED_HOSTS).
 */
function escalationChainProblems(
  escalation: Plain | undefined,
  report: (path: string, message: string) => void,
) {
  let queue = typeof escalation?.['queue'] === 'string' ? escalation['queue'] : undefined;
  for (const [i, step] of items(escalation?.['onBreach'])) {
    const at = `escalation.onBreach.${i}`;
    const moveTo = step['moveTo'];
    if (moveTo === undefined && step['notify'] === undefined)
      report(at, 'a step moves the task (moveTo), notifies (notify), or both');
    if (typeof moveTo === 'string') {
      if (moveTo === queue)
        report(`${at}.moveTo`, `the task is already in queue "${queue}" at this step`);
      queue = moveTo;
    }
    const webhook = object(step['notify'])?.['webhook'];
    const problem = typeof webhook === 'string' ? webhookProblem(webhook) : undefined;
    if (problem) report(`${at}.notify.webhook`, problem);
  }
  const fallback = object(escalation?.['fallback']);
  const action = fallback?.['action'];
  if (action === 'leave' && fallback?.['queue'] === undefined)
    report('escalation.fallback.queue', 'a "leave" fallback names the queue the task is left in');
  if ((action === 'reject' || action === 'cancel') && fallback?.['queue'] !== undefined)
    report(
      'escalation.fallback.queue',
      `only a "leave" fallback moves the task; "${action}" ends the run`,
    );
  if (action === 'leave' && fallback?.['reason'] !== undefined)
    report(
      'escalation.fallback.reason',
      'a "leave" fallback ends nothing: reason is for reject and cancel',
    );
}

/** Why a webhook URL cannot be used, or undefined when it can. */
function webhookProblem(url: string): string | undefined {
  if (url.includes('{{')) return 'a webhook is a fixed URL: templates are not filled in';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'a webhook is an absolute https (or http) URL';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    return `a webhook is an https (or http) URL, not ${parsed.protocol.slice(0, -1)}`;
  if (parsed.username || parsed.password) return 'a webhook URL carries no user name or password';
  return undefined;
}

const RULE_SCOPE = ['trigger', 'evidence', 'weakEvidence', 'done', 'failed', 'history'] as const;
const PROPOSAL_SCOPE = ['args', 'decision', ...RULE_SCOPE] as const;

/** Why an expression's type cannot serve where it is written, or undefined when it can. */
function valueProblem(
  type: CheckType,
  expect: 'condition' | 'value' | 'number',
): string | undefined {
  if (type.kind === 'dyn') return undefined;
  if (expect === 'condition' && type.kind !== 'bool')
    return `is ${aType(type)}, not a condition (true or false)`;
  if (expect === 'number' && !isNumeric(type)) return `is ${aType(type)}, not a number`;
  if (expect === 'value' && (type.kind === 'list' || type.kind === 'map' || type.kind === 'bool'))
    return `is ${aType(type)}: expected text or a number`;
  return undefined;
}
const NUMERIC_OPS = new Set(['gt', 'gte', 'lt', 'lte']);
const VALUE_OPS = new Set(['eq', 'ne', 'contains']);
const READ_ONLY = /^\s*(select|with)\b/i;
const TEMPLATE = /\{\{\s*([\w.-]+)\s*\}\}/g;

type Plain = Record<string, unknown>;

function object(value: unknown): Plain | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Plain) : undefined;
}

/** The entries of a list that are objects, with their index in the file. */
function items(value: unknown): Array<[number, Plain]> {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item, i): Array<[number, Plain]> => {
    const found = object(item);
    return found ? [[i, found]] : [];
  });
}

function names(list: Array<[number, Plain]>): Set<string> {
  return new Set(
    list.flatMap(([, item]) => (typeof item['name'] === 'string' ? [item['name']] : [])),
  );
}

function duplicates(
  at: string,
  list: Array<[number, Plain]>,
  report: (path: string, message: string) => void,
) {
  const first = new Map<unknown, number>();
  for (const [i, item] of list) {
    const name = item['name'];
    if (typeof name !== 'string') continue;
    const earlier = first.get(name);
    if (earlier === undefined) first.set(name, i);
    else report(`${at}.${i}.name`, `"${name}" is already the name of ${at}.${earlier}`);
  }
}

/** Every `{{ path }}` in a value, with the path in the file of the text holding it. */
function templates(value: unknown, at: string): Array<[string, string]> {
  if (typeof value === 'string') return [...value.matchAll(TEMPLATE)].map((m) => [at, m[1]!]);
  if (Array.isArray(value)) return value.flatMap((item, i) => templates(item, `${at}.${i}`));
  const found = object(value);
  if (!found) return [];
  return Object.entries(found).flatMap(([key, item]) => templates(item, `${at}.${key}`));
}
