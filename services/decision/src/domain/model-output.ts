import { DECISION_NEXT, type DecisionRecord } from '@baton/contracts';
import type { ArgsCheck, WorkflowDefinition } from '@baton/workflow';
import { mcpProposalArgs, type McpListings } from './mcp-tools.js';

// Types a tool argument may take; the model answers null for arguments that do not apply.
const ARG_TYPES = ['string', 'number', 'boolean', 'null'];

/**
 * Every argument name the workflow's granted tools take: their required args, the `args.*`
 * paths their statements bind, the args of their MCP tools, and the args the workflow's own
 * rules pass them.
 */
export function argumentNames(
  workflow: WorkflowDefinition,
  mcpTools: McpListings = new Map(),
): string[] {
  const names = new Set<string>();
  for (const tool of workflow.tools) {
    tool.requiredArgs.forEach((name) => names.add(name));
    for (const param of tool.params ?? []) {
      const [root, name] = param.split('.');
      if (root === 'args' && name) names.add(name);
    }
    mcpProposalArgs(tool, mcpTools.get(tool.name)).forEach((name) => names.add(name));
  }
  for (const rule of workflow.decision.rules) {
    Object.keys(rule.then.args ?? {}).forEach((name) => names.add(name));
  }
  return [...names].sort();
}

/**
 * The JSON schema of the model's answer, for strict structured output: every property
 * required, no others. `args` is an object of the workflow's known argument names (strict
 * mode allows no free-form object); `tool` is limited to the granted tools, `label` to the
 * workflow's labels.
 *
 * The workflow's `decision.model.outputSchema` is not merged in: strict mode accepts only a
 * subset of JSON Schema (every property required, no optional ones, some keywords refused),
 * and a schema the provider refuses would fail every call with a 400. The model reads it in
 * the description of `args` instead, and `parseModelOutput` enforces it.
 */
export function decisionJsonSchema(
  workflow: WorkflowDefinition,
  labels: string[],
  mcpTools: McpListings = new Map(),
) {
  const args = argumentNames(workflow, mcpTools);
  const outputSchema = workflow.decision.model?.outputSchema;
  return {
    type: 'object',
    additionalProperties: false,
    required: ['next', 'tool', 'args', 'label', 'confidence', 'rationale'],
    properties: {
      next: { type: 'string', enum: [...DECISION_NEXT] },
      tool: {
        type: ['string', 'null'],
        enum: [...workflow.tools.map((tool) => tool.name), null],
        description: 'The granted tool to run when next is "act"; null otherwise.',
      },
      args: {
        type: 'object',
        additionalProperties: false,
        required: args,
        properties: Object.fromEntries(args.map((name) => [name, { type: ARG_TYPES }])),
        description: outputSchema
          ? `The tool's arguments; null for those that do not apply. When next is "act", the arguments that are not null must satisfy this JSON Schema: ${JSON.stringify(outputSchema)}`
          : "The tool's arguments; null for those that do not apply.",
      },
      label: { type: 'string', enum: labels },
      confidence: { type: 'number', description: 'From 0 (a guess) to 1 (certain).' },
      rationale: {
        type: 'string',
        description: 'Why, in one or two sentences a reviewer can check.',
      },
    },
  };
}

export type ParsedOutput =
  | { ok: true; decision: DecisionRecord }
  | { ok: false; outcome: 'invalid-json' | 'invalid-output'; problem: string };

/**
 * Validates the model's answer. The tool is NOT checked against the grants here: a proposal
 * of an ungranted tool is a valid answer that the decision step refuses and records.
 * `checkArgs` (from `decision.model.outputSchema`) checks the args of an `act` proposal, as
 * the tool would get them (without the arguments the model set to null); the args of other
 * answers are not a proposal and are not checked.
 */
export function parseModelOutput(
  content: string | null | undefined,
  labels: string[],
  checkArgs?: ArgsCheck,
): ParsedOutput {
  let value: unknown;
  try {
    value = JSON.parse(content ?? '');
  } catch {
    return { ok: false, outcome: 'invalid-json', problem: 'invalid JSON' };
  }
  if (!isObject(value)) {
    return { ok: false, outcome: 'invalid-output', problem: 'invalid output: not a JSON object' };
  }
  const problems: string[] = [];
  const { next, tool, args, label, confidence, rationale } = value;
  if (!(DECISION_NEXT as readonly unknown[]).includes(next))
    problems.push(`next must be one of ${DECISION_NEXT.join(', ')}`);
  if (tool !== null && tool !== undefined && (typeof tool !== 'string' || !tool.trim()))
    problems.push('tool must be a tool name or null');
  if (next === 'act' && (typeof tool !== 'string' || !tool.trim()))
    problems.push('an "act" decision names a tool');
  if (args !== null && args !== undefined && !isObject(args))
    problems.push('args must be an object');
  if (typeof label !== 'string' || !labels.includes(label))
    problems.push(`label must be one of ${labels.join(', ')}`);
  if (typeof confidence !== 'number' || !(confidence >= 0 && confidence <= 1))
    problems.push('confidence must be a number from 0 to 1');
  if (typeof rationale !== 'string' || !rationale.trim()) problems.push('rationale is required');
  if (problems.length) {
    return {
      ok: false,
      outcome: 'invalid-output',
      problem: `invalid output (${problems.join('; ')})`,
    };
  }
  const decision: DecisionRecord = {
    next: next as DecisionRecord['next'],
    label: label as string,
    confidence: confidence as number,
    rationale: (rationale as string).trim(),
    decidedBy: 'model',
  };
  if (typeof tool === 'string') decision.tool = tool.trim();
  if (isObject(args)) {
    // Strict output fills every known argument; those the model set to null do not apply.
    const present = Object.entries(args).filter(([, item]) => item !== null);
    if (present.length) decision.args = Object.fromEntries(present);
  }
  const argsProblems = checkArgs && decision.next === 'act' ? checkArgs(decision.args ?? {}) : [];
  if (argsProblems.length) {
    return {
      ok: false,
      outcome: 'invalid-output',
      problem: `invalid output (${argsProblems.join('; ')})`,
    };
  }
  return { ok: true, decision };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
