import { variables, type Variables } from './cel/cel-checker.js';
import {
  BOOL,
  DOUBLE,
  DYN,
  DYN_MAP,
  listOf,
  record,
  STRING,
  type CheckType,
} from './cel/cel-type.js';

type Plain = Record<string, unknown>;

/** The places expressions are written in, each with the scope it sees (docs/workflows.md). */
export interface ScopeTypes {
  /** trigger.filters: the event only. */
  trigger: Variables;
  /** decision.rules, tools.*.pinned: the rule scope. */
  rule: Variables;
  /** validation.checks, validation.approvals, tools.*.limits: the rule scope, `args` and `decision`. */
  proposal: Variables;
  /** tools.*.resultChecks: the proposal scope and `result`, what the tool returned. */
  result: Variables;
}

const TRIGGER = record(
  { eventType: STRING, idempotencyKey: STRING, source: STRING, data: DYN_MAP, receivedAt: STRING },
  'trigger field',
);

const DECISION = record(
  {
    next: STRING,
    tool: STRING,
    args: DYN_MAP,
    label: STRING,
    confidence: DOUBLE,
    rationale: STRING,
    decidedBy: STRING,
  },
  'decision field',
);

/**
 * The types of the scopes, from a definition as written (plain JSON, before or despite
 * structural errors): evidence has the workflow's context sources and nothing else, `done`
 * and `failed` its granted tools, so a misspelt source or tool is found at load.
 */
export function scopeTypes(definition: Plain): ScopeTypes {
  const sources = listOfObjects((definition['context'] as Plain | undefined)?.['sources']);
  const tools = listOfObjects(definition['tools']);
  const evidence = Object.fromEntries(
    sources
      .filter((source) => typeof source['name'] === 'string')
      .map((source) => [source['name'] as string, evidenceType(source)]),
  );
  const toolNames = tools.flatMap((tool) =>
    typeof tool['name'] === 'string' ? [tool['name']] : [],
  );
  const perTool = (type: CheckType) =>
    record(Object.fromEntries(toolNames.map((name) => [name, type])), 'granted tool');
  const rule: Record<string, CheckType> = {
    trigger: TRIGGER,
    evidence: record(evidence, 'context source'),
    weakEvidence: BOOL,
    done: perTool(record({ args: DYN_MAP, result: DYN_MAP }, 'field')),
    failed: perTool(record({ args: DYN_MAP, error: DYN }, 'field')),
    history: listOf(DYN_MAP),
  };
  return {
    trigger: variables({ trigger: TRIGGER }),
    rule: variables(rule),
    proposal: variables({ ...rule, args: DYN_MAP, decision: DECISION }),
    result: variables({ ...rule, args: DYN_MAP, decision: DECISION, result: DYN_MAP }),
  };
}

function evidenceType(source: Plain): CheckType {
  if (source['kind'] !== 'sql') return DYN;
  return source['rows'] === 'many' ? listOf(DYN_MAP) : DYN_MAP;
}

function listOfObjects(value: unknown): Plain[] {
  return Array.isArray(value)
    ? value.filter(
        (item): item is Plain => !!item && typeof item === 'object' && !Array.isArray(item),
      )
    : [];
}
