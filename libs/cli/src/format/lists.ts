import type { RunSummary, TaskSummary } from '../api-types.js';
import { plain, type Stylize } from '../output.js';
import { statusStyle } from './timeline.js';
import { formatTime, table, truncate } from './values.js';

/** `baton runs`: one line per run, newest first as the API answers. */
export function formatRunRows(runs: RunSummary[], style: Stylize = plain): string[] {
  if (runs.length === 0) return ['no runs'];
  const rows = [
    ['RUN', 'STATUS', 'WORKFLOW', 'TENANT', 'CREATED', 'REASON'],
    ...runs.map((run) => [
      run.id,
      run.status,
      run.workflow ? `${run.workflow.id} v${run.workflow.version}` : '',
      run.tenantId ?? '',
      formatTime(run.createdAt),
      truncate(run.reason ?? '', 60),
    ]),
  ];
  return table(rows, [], (cell, row, column) => {
    if (row === 0) return style('bold', cell);
    if (column === 1) return style(statusStyle(runs[row - 1]!.status), cell);
    return cell;
  });
}

/** `baton tasks`: one line per task; an open task past its SLA says `overdue`. */
export function formatTaskRows(tasks: TaskSummary[], style: Stylize = plain): string[] {
  if (tasks.length === 0) return ['no tasks'];
  const rows = [
    ['TASK', 'STATUS', 'QUEUE', 'WORKFLOW', 'PROPOSAL', 'SLA DUE', 'REASON'],
    ...tasks.map((task) => [
      task.id,
      task.overdue ? `${task.status} (overdue)` : task.status,
      task.queue ?? '',
      task.workflow ? `${task.workflow.id} v${task.workflow.version}` : '',
      proposalOf(task),
      formatTime(task.slaDueAt),
      truncate(task.reason ?? '', 60),
    ]),
  ];
  return table(rows, [], (cell, row, column) => {
    if (row === 0) return style('bold', cell);
    const task = tasks[row - 1]!;
    if (column === 1) return style(task.overdue ? 'red' : taskStyle(task.status), cell);
    return cell;
  });
}

function proposalOf(task: TaskSummary): string {
  const proposal = task.proposal;
  if (!proposal) return '-';
  const confidence =
    typeof proposal.confidence === 'number' ? ` ${proposal.confidence.toFixed(2)}` : '';
  return `${proposal.label ?? '?'}${confidence}${proposal.tool ? ` → ${proposal.tool}` : ''}`;
}

export function taskStyle(status: string) {
  switch (status) {
    case 'open':
      return 'yellow' as const;
    case 'approved':
      return 'green' as const;
    case 'rejected':
      return 'red' as const;
    default:
      return 'dim' as const;
  }
}
