import type { TaskDetail } from '../api-types.js';
import { plain, type Stylize } from '../output.js';
import { taskStyle } from './lists.js';
import { compactJson, formatTime, wrap } from './values.js';

/**
 * One review task, everything a reviewer needs: why it escalated, the values the workflow
 * puts first (`escalation.show`, in its order), the proposal (label,
 * confidence, rationale, tool and args), the trigger data, the evidence (weak flagged), the
 * run's history, and the decision once made.
 */
export function formatTask(task: TaskDetail, style: Stylize = plain, width = 100): string[] {
  const status = style(['bold', task.overdue ? 'red' : taskStyle(task.status)], task.status);
  const lines = [
    `${style('bold', `task ${task.id}`)}  ${status}${task.overdue ? style('red', ' (overdue)') : ''}`,
    field('run', task.runId),
    field('workflow', task.workflow ? `${task.workflow.id} v${task.workflow.version}` : undefined),
    field('tenant', task.tenantId),
    field('queue', task.queue),
    field(
      'escalated',
      task.escalatedFrom
        ? `by step ${task.escalatedFrom.seq} (${task.escalatedFrom.step}) at ${formatTime(task.createdAt)}`
        : formatTime(task.createdAt),
    ),
    field('sla due', formatTime(task.slaDueAt)),
    ...wrapped('why', task.reason, width),
  ].filter((line): line is string => line !== undefined);
  if (task.closedReason) lines.push(...wrapped('closed', task.closedReason, width));

  if (task.highlights?.length) {
    lines.push('', style('bold', 'highlights'));
    for (const { path, value, missing } of task.highlights) {
      const shown = missing
        ? style('yellow', '(missing)')
        : typeof value === 'string'
          ? value
          : compactJson(value, Math.max(20, width - path.length - 4));
      lines.push(`  ${path}: ${shown}`);
    }
  }

  lines.push('', style('bold', 'proposal'));
  const proposal = task.proposal;
  if (!proposal) {
    lines.push('  none: approving needs --tool and --args');
  } else {
    const confidence =
      typeof proposal.confidence === 'number'
        ? ` · confidence ${proposal.confidence.toFixed(2)}`
        : '';
    lines.push(
      `  ${proposal.label ?? '(no label)'}${confidence}${proposal.decidedBy ? ` · by ${proposal.decidedBy}` : ''}`,
    );
    if (proposal.rationale) lines.push(...wrap(proposal.rationale, width - 4).map((l) => `  ${l}`));
    if (proposal.tool) lines.push(`  → ${proposal.tool} ${compactJson(proposal.args ?? {}, 500)}`);
  }

  if (task.trigger) {
    lines.push('', style('bold', 'trigger'));
    lines.push(
      `  ${task.trigger.eventType ?? ''}${task.trigger.source ? ` from ${task.trigger.source}` : ''}`,
    );
    for (const [name, value] of Object.entries(task.trigger.data ?? {})) {
      lines.push(`  ${name}: ${typeof value === 'string' ? value : compactJson(value, 200)}`);
    }
  }

  if (task.evidence?.length) {
    lines.push('', style('bold', `evidence${task.weakEvidence ? style('yellow', ' (weak)') : ''}`));
    for (const item of task.evidence) {
      const flag = item.weak ? style('yellow', ' WEAK') : '';
      const note = item.note ? ` (${item.note})` : '';
      lines.push(`  ${item.source}${flag}${note}: ${compactJson(item.content ?? null, width - 8)}`);
    }
  }

  if (task.history?.length) {
    lines.push('', style('bold', 'history'));
    for (const record of task.history) {
      lines.push(`  ${record.seq}  ${record.kind}  ${record.name}  ${record.outcome}`);
    }
  }

  if (task.decision) {
    const decision = task.decision;
    lines.push('', style('bold', 'decision'));
    lines.push(
      `  ${decision.outcome} by ${decision.reviewer?.name ?? 'a reviewer'} at ${formatTime(decision.decidedAt)}`,
    );
    if (decision.args) lines.push(`  args ${compactJson(decision.args, 500)}`);
    if (decision.note) lines.push(`  note: ${decision.note}`);
    if (decision.reason) lines.push(`  reason: ${decision.reason}`);
  }
  return lines;
}

function field(name: string, value: string | undefined): string | undefined {
  return value ? `${`${name}:`.padEnd(11)}${value}` : undefined;
}

function wrapped(name: string, value: string | undefined, width: number): string[] {
  if (!value) return [];
  const [first = '', ...rest] = wrap(value, width - 11);
  return [`${`${name}:`.padEnd(11)}${first}`, ...rest.map((line) => `${' '.repeat(11)}${line}`)];
}
