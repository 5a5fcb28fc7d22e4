import { RUN_STATUSES } from '../api-types.js';
import type { Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { formatRunRows } from '../format/lists.js';
import { println } from '../output.js';
import { optionalString, printJson, readChoice, readInteger } from './shared.js';

export const runsCommand: Command = {
  name: 'runs',
  summary: 'list runs, newest first (GET /v1/runs)',
  positionals: [],
  options: {
    status: {
      type: 'string',
      valueName: 'status',
      description: `only runs in this status: ${RUN_STATUSES.join(', ')}`,
    },
    workflow: { type: 'string', valueName: 'id', description: 'only runs of this workflow' },
    since: { type: 'string', valueName: 'iso-time', description: 'created at or after' },
    until: { type: 'string', valueName: 'iso-time', description: 'created before' },
    limit: { type: 'string', valueName: 'n', description: 'at most n runs, 1–200 (default 50)' },
    cursor: {
      type: 'string',
      valueName: 'cursor',
      description: 'the next page (printed below a full page)',
    },
  },
  details: ['Needs a reviewer (or admin) key.'],
  examples: [
    'baton runs --status waiting-for-review',
    'baton runs --workflow billing-dispute --limit 5',
  ],
  async run(context) {
    const { options } = context;
    const { body } = await context.client.listRuns({
      status: readChoice(options['status'], 'status', 'runs', RUN_STATUSES),
      workflowId: optionalString(options['workflow']),
      since: optionalString(options['since']),
      until: optionalString(options['until']),
      limit: readInteger(options['limit'], 'limit', 'runs', { min: 1, max: 200 }),
      cursor: optionalString(options['cursor']),
    });
    if (context.globals.json) {
      printJson(context, body);
      return ExitCode.Ok;
    }
    println(context.io.stdout, ...formatRunRows(body.items, context.style));
    if (body.nextCursor)
      println(context.io.stdout, '', `more: baton runs --cursor ${body.nextCursor}`);
    return ExitCode.Ok;
  },
};
