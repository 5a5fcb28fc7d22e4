import type { Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { formatTime, table } from '../format/values.js';
import { println } from '../output.js';
import { printJson } from './shared.js';

export const workflowsCommand: Command = {
  name: 'workflows',
  summary: 'list the workflow versions the services run (GET /v1/workflows)',
  positionals: [],
  options: {},
  details: [
    'Every version, by id then version: its mode, where it came from (bundled with the services',
    'or published), when, its digest, and which version new triggers start (latest); a',
    'candidate (published, not live until `baton promote`) is marked candidate.',
    'Needs a reviewer (or admin) key.',
  ],
  examples: ['baton workflows', 'baton workflows --json'],
  async run(context) {
    const { body } = await context.client.listWorkflows();
    if (context.globals.json) {
      printJson(context, body);
      return ExitCode.Ok;
    }
    const { style } = context;
    if (body.items.length === 0) {
      println(context.io.stdout, 'no workflows');
      return ExitCode.Ok;
    }
    const rows = [
      ['WORKFLOW', 'VERSION', 'MODE', 'SOURCE', 'PUBLISHED', 'DIGEST', ''],
      ...body.items.map((w) => [
        w.id,
        `v${w.version}`,
        w.mode ?? '',
        w.source ?? '',
        w.publishedAt ? formatTime(w.publishedAt) : 'not yet',
        (w.digest ?? '').slice(0, 12),
        w.latest ? 'latest' : w.candidate ? 'candidate' : '',
      ]),
    ];
    println(
      context.io.stdout,
      ...table(rows, [], (cell, row, column) => {
        if (row === 0) return style('bold', cell);
        if (column === 6 && cell) return style(cell === 'latest' ? 'green' : 'yellow', cell);
        return cell;
      }),
    );
    return ExitCode.Ok;
  },
};
