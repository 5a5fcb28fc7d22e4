import type { StatsAnswer, StatsComparison } from '../api-types.js';
import type { Command } from '../command.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { formatStats, formatStatsComparison } from '../format/stats.js';
import { println } from '../output.js';
import { optionalString, printJson, readInteger } from './shared.js';

export const statsCommand: Command = {
  name: 'stats',
  summary: 'outcome stats: completion, escalation and correction rates, time, cost (GET /v1/stats)',
  positionals: [{ name: 'workflow', optional: true }],
  options: {
    since: {
      type: 'string',
      valueName: 'time',
      description: 'runs started at or after: an ISO time or a time ago (30m, 12h, 7d; default 7d)',
    },
    until: { type: 'string', valueName: 'time', description: 'runs started before (same forms)' },
    version: { type: 'string', valueName: 'n', description: 'only this version of the workflow' },
    tenant: { type: 'string', valueName: 'id', description: "only this tenant's runs" },
    compare: {
      type: 'string',
      valueName: 'a,b',
      description: 'two versions of the workflow side by side, e.g. 3,4',
    },
  },
  details: [
    'Counts the runs started in the window; every rate is defined in docs/outcomes.md.',
    'Needs a reviewer (or admin) key.',
  ],
  examples: [
    'baton stats',
    'baton stats billing-dispute --since 30d',
    'baton stats billing-dispute --compare 3,4 --json',
  ],
  async run(context) {
    const { options, positionals } = context;
    const workflow = positionals[0];
    const compare = optionalString(options['compare']);
    if (compare !== undefined && !/^\d+,\d+$/.test(compare))
      throw new UsageError('--compare: expected two versions, e.g. 3,4', 'stats');
    if (compare !== undefined && !workflow)
      throw new UsageError(
        '--compare: name the workflow: baton stats <workflow> --compare 3,4',
        'stats',
      );
    const version = readInteger(options['version'], 'version', 'stats', {
      min: 1,
      max: 2147483647,
    });
    if (version !== undefined && !workflow)
      throw new UsageError(
        '--version: name the workflow: baton stats <workflow> --version 2',
        'stats',
      );
    const { body } = await context.client.getStats({
      workflow,
      version,
      tenant: optionalString(options['tenant']),
      since: optionalString(options['since']) ?? '7d',
      until: optionalString(options['until']),
      compare,
    });
    if (context.globals.json) {
      printJson(context, body);
      return ExitCode.Ok;
    }
    println(
      context.io.stdout,
      ...('versions' in body
        ? formatStatsComparison(body as StatsComparison, context.style)
        : formatStats(body as StatsAnswer, context.style)),
    );
    return ExitCode.Ok;
  },
};
