import type { Command } from '../command.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { table, truncate } from '../format/values.js';
import { println, type Stylize } from '../output.js';
import type { StepValueAnswer, StepValueLine } from '../step-value-types.js';
import { optionalString, printJson, readInteger } from './shared.js';

const percent = (rate: number | null) => (rate === null ? '-' : `${(rate * 100).toFixed(1)} %`);

const SECTIONS: Array<[keyof StepValueAnswer & string, string]> = [
  ['sources', 'context sources (read by what decided)'],
  ['rules', 'rules (decided)'],
  ['checks', 'checks (refused)'],
  ['approvals', 'approvals (corrected by the reviewer)'],
  ['tools', 'tools (proposed or ran, of runs)'],
];

/** The report as tables: per kind of step, name, rate, verdict and what was counted. */
export function formatStepValue(answer: StepValueAnswer, style: Stylize): string[] {
  const since = answer.window.since ? ` since ${answer.window.since}` : '';
  const by = answer.decisionsBy;
  const lines = [
    style('bold', `${answer.workflowId}@${answer.version}: ${answer.runs} runs${since}`),
    `decisions: ${by.rules} by rules, ${by.model} by the model, ${by.reviewer} by a reviewer`,
    style('dim', `a verdict needs a sample of ${answer.minRuns}; docs/outcomes.md#step-value`),
  ];
  for (const [key, title] of SECTIONS) {
    const items = answer[key] as StepValueLine[];
    lines.push('', style('bold', title));
    if (items.length === 0) {
      lines.push('  (none declared)');
      continue;
    }
    const rows = items.map((item) => [
      `  ${item.name ?? truncate(`#${item.index} ${item.reason ?? ''}`, 60)}`,
      percent(item.rate),
      item.verdict,
      item.summary,
    ]);
    lines.push(
      ...table(rows, [1], (cell, _row, column) =>
        column === 2 && cell.startsWith('consider-removing') ? style('yellow', cell) : cell,
      ),
    );
  }
  return lines;
}

export const stepValueCommand: Command = {
  name: 'step-value',
  summary: 'per step of a workflow, how often it changed a run (GET /v1/workflows/{id}/step-value)',
  positionals: [{ name: 'workflow' }],
  options: {
    version: { type: 'string', valueName: 'n', description: 'the version (default: the latest)' },
    since: {
      type: 'string',
      valueName: 'time',
      description:
        'runs started at or after: an ISO time or a time ago (30m, 12h, 7d; default 30d)',
    },
    until: { type: 'string', valueName: 'time', description: 'runs started before (same forms)' },
    'min-runs': {
      type: 'string',
      valueName: 'n',
      description: 'the sample a verdict needs (default 100)',
    },
  },
  details: [
    'For each context source, rule, check, approval and tool of the version: how often it changed',
    "a run's course in the window, a rate, and a verdict once the sample is large enough.",
    'What each count can and cannot tell is in docs/outcomes.md#step-value.',
    'Needs a reviewer (or admin) key.',
  ],
  examples: [
    'baton step-value billing-dispute',
    'baton step-value billing-dispute --version 3 --since 90d',
    'baton step-value billing-dispute --json',
  ],
  async run(context) {
    const { options, positionals } = context;
    const workflow = positionals[0]!;
    const version = readInteger(options['version'], 'version', 'step-value', {
      min: 1,
      max: 2147483647,
    });
    const minRuns = readInteger(options['min-runs'], 'min-runs', 'step-value', {
      min: 1,
      max: 1_000_000,
    });
    if (!/^[a-z][a-z0-9-]{0,62}$/.test(workflow))
      throw new UsageError(`not a workflow id: ${workflow}`, 'step-value');
    const { body } = await context.client.getStepValue(workflow, {
      version,
      since: optionalString(options['since']) ?? '30d',
      until: optionalString(options['until']),
      minRuns,
    });
    if (context.globals.json) {
      printJson(context, body);
      return ExitCode.Ok;
    }
    println(context.io.stdout, ...formatStepValue(body, context.style));
    return ExitCode.Ok;
  },
};
