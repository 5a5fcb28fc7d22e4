import { isTerminal, type Run, type RunStep } from '../api-types.js';
import { plain, type Style, type Stylize } from '../output.js';
import { compactJson, formatDuration, formatTime, isRecord, table, text, wrap } from './values.js';

export interface TimelineOptions {
  style?: Stylize;
  /** Wraps rationales and reasons at this many columns. */
  width?: number;
  /** For the elapsed time of a run that has not ended. */
  now?: Date;
}

const INDENT = '     ';

/** `prefix` and a JSON value on one line that fits. */
type JsonLine = (prefix: string, value: unknown) => string;

/**
 * A run, step by step, for a terminal: a header (workflow, tenant, event), one row per step
 * (seq, kind, name, outcome, duration) with what the step concluded under it — the decision's
 * label, confidence and rationale, the tool with its args and result, the reasons — and the
 * run's status and reason at the end. Pure: the same run gives the same lines.
 */
export function formatTimeline(run: Run, options: TimelineOptions = {}): string[] {
  const style = options.style ?? plain;
  const width = options.width ?? 100;
  const lines = header(run, style);

  const steps = [...run.steps].sort((a, b) => a.seq - b.seq);
  if (steps.length === 0) {
    lines.push('', style('dim', 'no steps recorded yet'));
  } else {
    const rows = [
      ['SEQ', 'KIND', 'STEP', 'OUTCOME', 'TIME'],
      ...steps.map((step) => [
        String(step.seq),
        step.kind,
        step.attempt && step.attempt > 1 ? `${step.name} (attempt ${step.attempt})` : step.name,
        step.outcome,
        formatDuration(durationOf(step)),
      ]),
    ];
    const padded = table(rows, [0, 4], (cell, row, column) => {
      if (row === 0) return style('bold', cell);
      if (column === 3) return style(outcomeStyle(steps[row - 1]!.outcome), cell);
      return cell;
    });
    lines.push('', `  ${padded[0]}`);
    steps.forEach((step, i) => {
      lines.push(`  ${padded[i + 1]}`);
      for (const detail of stepDetails(step, width - INDENT.length - 2)) {
        for (const line of wrap(detail, width - INDENT.length - 2)) {
          lines.push(style('dim', `  ${INDENT}${line}`));
        }
      }
    });
  }
  lines.push('', ...ending(run, style, width, options.now));
  return lines;
}

function header(run: Run, style: Stylize): string[] {
  const workflow = run.workflow ? `${run.workflow.id} v${run.workflow.version}` : '';
  const first = [style('bold', `run ${run.id}`), workflow, run.tenantId && `tenant ${run.tenantId}`]
    .filter(Boolean)
    .join('  ');
  const event = [
    run.eventType && `event ${run.eventType}${run.source ? ` from ${run.source}` : ''}`,
    run.idempotencyKey && `key ${run.idempotencyKey}`,
    run.createdAt && `created ${formatTime(run.createdAt)}`,
  ]
    .filter(Boolean)
    .join(' · ');
  const lines = event ? [first, style('dim', event)] : [first];
  if (run.traceId) lines.push(style('dim', `trace ${run.traceId}`));
  return lines;
}

/** `completed after 1.2 s: <reason>`, or where a run that has not ended stands. */
function ending(run: Run, style: Stylize, width: number, now: Date | undefined): string[] {
  const status = style(['bold', statusStyle(run.status)], run.status);
  const start = run.createdAt ? Date.parse(run.createdAt) : NaN;
  const end = run.endedAt ? Date.parse(run.endedAt) : now ? now.getTime() : NaN;
  const elapsed = formatDuration(end - start);
  const when = elapsed ? (isTerminal(run.status) ? ` after ${elapsed}` : ` for ${elapsed}`) : '';
  const reason = run.reason ? `: ${run.reason}` : '';
  const [first = '', ...rest] = wrap(`${run.status}${when}${reason}`, width);
  return [`${status}${first.slice(run.status.length)}`, ...rest.map((line) => `  ${line}`)];
}

function durationOf(step: RunStep): number | undefined {
  if (typeof step.durationMs === 'number') return step.durationMs;
  if (step.startedAt && step.finishedAt) {
    return Date.parse(step.finishedAt) - Date.parse(step.startedAt);
  }
  return undefined;
}

/**
 * What to show under a step: the key facts of its output, by kind. Args and results stay on
 * one line of at most `lineWidth` columns (`--json` has them whole); text is wrapped later.
 */
export function stepDetails(step: RunStep, lineWidth = 93): string[] {
  const json = (prefix: string, value: unknown) =>
    `${prefix}${compactJson(value, Math.max(20, lineWidth - prefix.length))}`;
  const input = isRecord(step.input) ? step.input : {};
  const output = isRecord(step.output) ? step.output : {};
  switch (step.kind) {
    case 'context':
      return contextDetails(output);
    case 'decision':
      return decisionDetails(step.outcome, input, output, json);
    case 'validation':
      return validationDetails(step.outcome, input, output);
    case 'action':
      return actionDetails(input, output, json);
    case 'escalation':
      return escalationDetails(output);
    default:
      return generic(output);
  }
}

function contextDetails(output: Record<string, unknown>): string[] {
  const sources = isRecord(output['sources']) ? output['sources'] : {};
  const parts = Object.entries(sources).map(([name, value]) => {
    const source = isRecord(value) ? value : {};
    const ms = typeof source['ms'] === 'number' ? ` ${formatDuration(source['ms'])}` : '';
    const note = text(source['note']) ? ` (${text(source['note'])})` : '';
    return `${name}: ${text(source['status']) ?? '?'}${ms}${note}`;
  });
  const lines = parts.length ? [`sources: ${parts.join(' · ')}`] : [];
  if (output['weakEvidence'] === true)
    lines.push('weak evidence: a reviewer should not trust it alone');
  return lines;
}

function decisionDetails(
  outcome: string,
  input: Record<string, unknown>,
  output: Record<string, unknown>,
  json: JsonLine,
): string[] {
  const lines: string[] = [];
  const asked = text(input['reason']);
  if (asked && asked !== 'context-gathered') lines.push(`after: ${asked}`);
  if (outcome === 'run-ended') {
    lines.push(`not decided, the run had ended: ${joinReason(output['status'], output['reason'])}`);
    return lines;
  }
  if (outcome === 'stopped') {
    const reason = text(output['reason'])?.replace(/^stopped: /, '');
    lines.push(`stopped: ${reason ?? 'a limit was reached'}`);
    const held = isRecord(output['refusedDecision']) ? output['refusedDecision'] : undefined;
    if (held)
      lines.push(
        json(
          `not acted on: ${text(held['next']) ?? '?'} ${text(held['tool']) ?? ''} `,
          held['args'] ?? {},
        ),
      );
    return lines;
  }
  if (outcome === 'rejected' && !isRecord(output['decision'])) {
    lines.push(`rejected by ${reviewerName(output['reviewer'])}: ${text(output['reason']) ?? ''}`);
    return lines;
  }
  const decision = isRecord(output['decision']) ? output['decision'] : undefined;
  if (decision) {
    const by = text(decision['decidedBy']);
    const rule = text(output['rule']);
    const reviewer = isRecord(output['reviewer']) ? reviewerName(output['reviewer']) : undefined;
    const source = by
      ? `by ${by}${rule ? ` (rule ${rule})` : ''}${reviewer && by === 'reviewer' ? ` (${reviewer})` : ''}`
      : '';
    lines.push(
      [
        text(decision['label']) ?? '(no label)',
        typeof decision['confidence'] === 'number'
          ? `confidence ${decision['confidence'].toFixed(2)}`
          : '',
        source,
      ]
        .filter(Boolean)
        .join(' · '),
    );
    const model = isRecord(output['model']) ? output['model'] : undefined;
    if (model) lines.push(`model: ${modelUsage(model)}`);
    if (text(decision['rationale'])) lines.push(`why: ${text(decision['rationale'])}`);
    if (decision['next'] === 'act' && text(decision['tool'])) {
      lines.push(json(`→ ${text(decision['tool'])} `, decision['args'] ?? {}));
    }
  }
  // What the decision step did not send on: an ungranted tool, an unsure model decision.
  for (const [field, what] of [
    ['refusedProposal', 'refused proposal'],
    ['unsureProposal', 'unsure proposal'],
  ] as const) {
    const held = isRecord(output[field]) ? output[field] : undefined;
    if (held)
      lines.push(json(`${what}: ${text(held['tool']) ?? '(no tool)'} `, held['args'] ?? {}));
  }
  if (text(output['reason']) && !isRecord(output['decision']))
    lines.push(`why: ${text(output['reason'])}`);
  return lines.length ? lines : generic(output);
}

function validationDetails(
  outcome: string,
  input: Record<string, unknown>,
  output: Record<string, unknown>,
): string[] {
  switch (outcome) {
    case 'failed': {
      const failures =
        typeof output['failures'] === 'number' ? ` (failure ${output['failures']}` : '';
      const escalated = failures ? (output['escalated'] === true ? ', escalated)' : ')') : '';
      return [`failed: ${text(output['message']) ?? ''}${failures}${escalated}`];
    }
    case 'needs-approval':
      return [`needs approval: ${text(output['reason']) ?? ''}`];
    case 'recorded':
      return [`recorded ${text(input['tool']) ?? 'the action'}: ${text(input['status']) ?? '?'}`];
    case 'passed':
      return text(input['tool']) ? [`checks passed for ${text(input['tool'])}`] : [];
    default:
      return generic(output);
  }
}

function actionDetails(
  input: Record<string, unknown>,
  output: Record<string, unknown>,
  json: JsonLine,
): string[] {
  const tool = text(output['tool']) ?? text(input['tool']) ?? '(no tool)';
  const lines = [json(`${tool} `, output['args'] ?? {})];
  const result = isRecord(output['result']) ? output['result'] : {};
  const status = text(result['status']) ?? '?';
  if (text(result['error'])) lines.push(`→ ${status}: ${text(result['error'])}`);
  else if (result['output'] !== undefined) lines.push(json(`→ ${status} `, result['output']));
  else lines.push(`→ ${status}`);
  if (output['refused'] === true)
    lines.push('refused: not run (a guard or an effect limit said no)');
  if (output['reused'] === true) lines.push('already run for this idempotency key: result reused');
  return lines;
}

function escalationDetails(output: Record<string, unknown>): string[] {
  const lines: string[] = [];
  const task = text(output['taskId']);
  if (task)
    lines.push(`task ${task}${text(output['queue']) ? ` in queue ${text(output['queue'])}` : ''}`);
  if (text(output['reason'])) lines.push(`why: ${text(output['reason'])}`);
  if (text(output['closedReason'])) lines.push(`closed: ${text(output['closedReason'])}`);
  return lines.length ? lines : generic(output);
}

function generic(output: Record<string, unknown>): string[] {
  const said = text(output['reason']) ?? text(output['message']);
  return said ? [said] : [];
}

function modelUsage(model: Record<string, unknown>): string {
  const calls = Array.isArray(model['calls']) ? model['calls'].length : model['calls'];
  const parts = [
    calls !== undefined ? `${String(calls)} call${calls === 1 ? '' : 's'}` : '',
    typeof model['tokens'] === 'number' ? `${model['tokens']} tokens` : '',
    typeof model['costUsd'] === 'number' ? `$${model['costUsd'].toFixed(4)}` : '',
  ];
  return parts.filter(Boolean).join(', ');
}

function reviewerName(reviewer: unknown): string {
  return isRecord(reviewer) ? (text(reviewer['name']) ?? 'a reviewer') : 'a reviewer';
}

function joinReason(status: unknown, reason: unknown): string {
  return [text(status), text(reason)].filter(Boolean).join(': ') || 'ended';
}

/** A run status's colour. */
export function statusStyle(status: string): Style {
  switch (status) {
    case 'completed':
      return 'green';
    case 'failed':
    case 'rejected':
      return 'red';
    case 'cancelled':
    case 'waiting-for-review':
      return 'yellow';
    default:
      return 'cyan';
  }
}

function outcomeStyle(outcome: string): Style {
  if (/fail|refus|reject|stopped|run-ended/.test(outcome)) return 'red';
  if (/escalate|needs-approval|task-created|weak|simulated/.test(outcome)) return 'yellow';
  return 'green';
}
