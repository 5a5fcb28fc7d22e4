import type { BacktestReport, BacktestSide } from '../backtest-types.js';
import type { Command } from '../command.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { println } from '../output.js';
import { optionalString, printJson, readInteger } from './shared.js';

const POLL_MS = 1_000;

export const backtestCommand: Command = {
  name: 'backtest',
  summary:
    'replay recorded triggers against a version in shadow and compare (POST /v1/workflows/{id}/backtests)',
  positionals: [{ name: 'workflow' }],
  options: {
    version: { type: 'string', valueName: 'n', description: 'the candidate version (required)' },
    against: {
      type: 'string',
      valueName: 'n',
      description: 'the version whose runs are replayed (default: the highest below --version)',
    },
    since: {
      type: 'string',
      valueName: 'time',
      description: 'runs started at or after: an ISO time or a time ago (default 7d)',
    },
    until: { type: 'string', valueName: 'time', description: 'runs started before (default now)' },
    limit: { type: 'string', valueName: 'n', description: 'at most this many runs (default 500)' },
    report: {
      type: 'string',
      valueName: 'id',
      description: 'print the report of a backtest already started (no new one)',
    },
    wait: { type: 'boolean', description: 'wait until every run has been replayed' },
  },
  details: [
    'Takes the ended runs of the --against version in the window, oldest first, and replays each',
    'recorded trigger against --version in shadow: writes are simulated, nothing enters the effect',
    'ledger, and a run that would ask a person stops there (no review task). Reads run against the',
    'business data as it is now. The report compares each run with its original and gives the',
    'agreement with what reviewers decided (edits and rejections); docs/changing-workflows.md.',
    'Starting one needs an admin key; --report needs a reviewer (or admin) key.',
  ],
  examples: [
    'baton backtest billing-dispute --version 4 --since 7d --wait',
    'baton backtest billing-dispute --version 4 --limit 100 --json',
    'baton backtest billing-dispute --report 0197a8d0-12aa-7b01-8c3e-5f0a9d2e4b71',
  ],
  async run(context) {
    const { options, positionals, client } = context;
    const workflow = positionals[0]!;
    let id = optionalString(options['report']);
    if (id === undefined) {
      const version = readInteger(options['version'], 'version', 'backtest', {
        min: 1,
        max: 2147483647,
      });
      if (version === undefined)
        throw new UsageError('--version: name the candidate version, e.g. --version 2', 'backtest');
      const against = readInteger(options['against'], 'against', 'backtest', {
        min: 1,
        max: 2147483647,
      });
      const limit = readInteger(options['limit'], 'limit', 'backtest', { min: 1, max: 5000 });
      const { body } = await client.startBacktest(workflow, {
        version,
        ...(against !== undefined ? { against } : {}),
        since: optionalString(options['since']) ?? '7d',
        ...(optionalString(options['until']) ? { until: optionalString(options['until']) } : {}),
        ...(limit !== undefined ? { limit } : {}),
      });
      id = body.backtestId;
      if (!options['wait']) {
        if (context.globals.json) printJson(context, body);
        else
          println(
            context.io.stdout,
            `backtest ${id}: ${body.runs} runs of ${workflow}@${body.against} against version ${version}`,
            `report: baton backtest ${workflow} --report ${id}`,
          );
        return ExitCode.Ok;
      }
    }
    let report = (await client.getBacktest(id)).body;
    while (options['wait'] && report.status !== 'finished') {
      await (context.io.sleep ?? sleep)(POLL_MS);
      report = (await client.getBacktest(id)).body;
    }
    if (context.globals.json) printJson(context, report);
    else println(context.io.stdout, ...formatReport(report));
    return ExitCode.Ok;
  },
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const percent = (value: number | null) => (value === null ? '—' : `${(value * 100).toFixed(1)} %`);

/** The report as text: the totals, old beside new, then run by run. */
export function formatReport(report: BacktestReport): string[] {
  const { totals } = report;
  const side = (label: string, pick: (s: BacktestSide) => string) =>
    `${label.padEnd(20)} ${pick(totals.original).padStart(12)} ${pick(totals.candidate).padStart(12)}`;
  const c = totals.corrections;
  return [
    `backtest ${report.backtestId}: ${report.workflow.id}@${report.workflow.version} on the runs of version ${report.against} (${report.status}, ${totals.done}/${totals.runs} runs)`,
    report.reads,
    '',
    `same outcome         ${totals.sameOutcome}`,
    `different outcome    ${totals.differentOutcome}`,
    `not started          ${totals.notStarted}`,
    `agreement            ${percent(c.agreementRate)} (${c.agreed} of ${c.corrected} corrected runs: ${c.edited} edited, ${c.rejected} rejected)`,
    `new refused writes   ${totals.newRefusedWrites}`,
    '',
    `${''.padEnd(20)} ${`v${report.against}`.padStart(12)} ${`v${report.workflow.version}`.padStart(12)}`,
    side('escalation rate', (s) => percent(s.escalationRate)),
    side('writes', (s) => String(s.writes)),
    side('refused writes', (s) => String(s.refusedWrites)),
    side('tokens', (s) => String(s.tokens)),
    side('cost (USD)', (s) => s.costUsd.toFixed(4)),
    '',
    ...report.items.map((item) => {
      const verdict =
        item.agreesWithReviewer === null
          ? ''
          : item.agreesWithReviewer
            ? `  agrees with the reviewer (${item.review})`
            : `  differs from the reviewer (${item.review})`;
      const same = item.sameOutcome === null ? 'running' : item.sameOutcome ? 'same' : 'different';
      return `${item.sourceRunId}  ${item.original.course} → ${item.candidate.course}  ${same}${verdict}`;
    }),
  ];
}
