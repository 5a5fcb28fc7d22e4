import { TASK_STATUSES } from '../api-types.js';
import type { Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { formatTaskRows } from '../format/lists.js';
import { println } from '../output.js';
import { optionalString, printJson, readChoice, readInteger } from './shared.js';

export const tasksCommand: Command = {
  name: 'tasks',
  summary: 'list review tasks, newest first (GET /v1/tasks)',
  positionals: [],
  options: {
    status: {
      type: 'string',
      valueName: 'status',
      description: `only tasks in this status: ${TASK_STATUSES.join(', ')}`,
    },
    queue: { type: 'string', valueName: 'queue', description: 'only tasks in this queue' },
    workflow: { type: 'string', valueName: 'id', description: 'only tasks of this workflow' },
    limit: { type: 'string', valueName: 'n', description: 'at most n tasks, 1–200' },
    cursor: {
      type: 'string',
      valueName: 'cursor',
      description: 'the next page (printed below a full page)',
    },
  },
  details: ['Needs a reviewer (or admin) key.'],
  examples: ['baton tasks --status open', 'baton tasks --queue billing-review --json'],
  async run(context) {
    const { options } = context;
    const { body } = await context.client.listTasks({
      status: readChoice(options['status'], 'status', 'tasks', TASK_STATUSES),
      queue: optionalString(options['queue']),
      workflowId: optionalString(options['workflow']),
      limit: readInteger(options['limit'], 'limit', 'tasks', { min: 1, max: 200 }),
      cursor: optionalString(options['cursor']),
    });
    if (context.globals.json) {
      printJson(context, body);
      return ExitCode.Ok;
    }
    println(context.io.stdout, ...formatTaskRows(body.items, context.style));
    if (body.nextCursor)
      println(context.io.stdout, '', `more: baton tasks --cursor ${body.nextCursor}`);
    return ExitCode.Ok;
  },
};
