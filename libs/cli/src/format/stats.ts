import type { OutcomeStats, StatsAnswer, StatsComparison } from '../api-types.js';
import { plain, type Stylize } from '../output.js';
import { formatDuration, table, truncate } from './values.js';

const percent = (rate: number | null) => (rate === null ? '-' : `${(rate * 100).toFixed(1)} %`);
const duration = (ms: number | null) => (ms === null ? '-' : formatDuration(ms));
const usd = (value: number | null) =>
  value === null ? '-' : `$${value < 0.01 && value > 0 ? value.toPrecision(2) : value.toFixed(2)}`;
const minutes = (value: number | null) =>
  value === null ? '-' : value >= 60 ? `${(value / 60).toFixed(1)} h` : `${value} min`;

/** The stats' rows: label, then one value per column of stats. */
function statRows(all: OutcomeStats[]): string[][] {
  const row = (label: string, value: (stats: OutcomeStats) => string) => [label, ...all.map(value)];
  const outcome = (name: string) => (stats: OutcomeStats) => String(stats.outcomes[name] ?? 0);
  return [
    row('runs', (s) => String(s.runs)),
    row('  completed without a person', outcome('completed')),
    row('  completed after approval', outcome('approved')),
    row('  approved with edits', outcome('edited')),
    row('  rejected', outcome('rejected')),
    row('  escalated (waiting)', outcome('escalated')),
    row('  failed', outcome('failed')),
    row('  cancelled', outcome('cancelled')),
    row('  running', outcome('running')),
    row('completion rate', (s) => percent(s.completionRate)),
    row('automation rate', (s) => percent(s.automationRate)),
    row('escalation rate', (s) => percent(s.escalationRate)),
    row('correction rate', (s) => percent(s.correctionRate)),
    row('time to outcome p50', (s) => duration(s.timeToOutcomeMs.p50)),
    row('time to outcome p95', (s) => duration(s.timeToOutcomeMs.p95)),
    row('review wait p50', (s) => duration(s.reviewWaitMs.p50)),
    row('review wait p95', (s) => duration(s.reviewWaitMs.p95)),
    row('tokens', (s) => String(s.tokens)),
    row('cost per run', (s) => usd(s.costPerRunUsd)),
    row('time saved', (s) => minutes(s.timeSavedMinutes)),
  ];
}

function windowLine(window: StatsAnswer['window'], tenant: string | null): string {
  const parts = [
    window.since ? `since ${window.since}` : 'since the first run',
    ...(window.until ? [`until ${window.until}`] : []),
    ...(tenant ? [`tenant ${tenant}`] : []),
  ];
  return parts.join(', ');
}

function reasonLines(title: string, reasons: OutcomeStats['topEscalationReasons']): string[] {
  if (reasons.length === 0) return [];
  return [
    '',
    title,
    ...reasons.map((r) => `  ${String(r.runs).padStart(5)}  ${truncate(r.reason, 100)}`),
  ];
}

/** `baton stats`: one scope, a line per figure, then the top reasons. */
export function formatStats(answer: StatsAnswer, style: Stylize = plain): string[] {
  const scope = answer.workflowId
    ? `${answer.workflowId}${answer.version !== null ? ` v${answer.version}` : ''}`
    : 'all workflows';
  return [
    style('bold', `${scope} — ${windowLine(answer.window, answer.tenant)}`),
    ...table(statRows([answer]), [1]),
    ...reasonLines('top escalation reasons', answer.topEscalationReasons),
    ...reasonLines('top failure reasons', answer.topFailureReasons),
  ];
}

/** `baton stats <workflow> --compare a,b`: the two versions side by side. */
export function formatStatsComparison(answer: StatsComparison, style: Stylize = plain): string[] {
  const [a, b] = answer.versions;
  const lines = [
    style('bold', `${answer.workflowId} — ${windowLine(answer.window, answer.tenant)}`),
    ...table(
      [
        ['', ...answer.versions.map((v) => `v${v.version}`)],
        ...statRows(answer.versions.map((v) => v.stats)),
      ],
      [1, 2],
      (cell, row) => (row === 0 ? style('bold', cell) : cell),
    ),
  ];
  for (const version of [a, b]) {
    if (!version) continue;
    lines.push(
      ...reasonLines(
        `v${version.version}: top escalation reasons`,
        version.stats.topEscalationReasons,
      ),
    );
  }
  return lines;
}
