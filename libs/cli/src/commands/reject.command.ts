import type { Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { println } from '../output.js';
import { printJson, requireString } from './shared.js';

export const rejectCommand: Command = {
  name: 'reject',
  summary: 'reject a review task: the run ends rejected (POST /v1/tasks/:id/reject)',
  positionals: [{ name: 'task-id' }],
  options: {
    reason: {
      type: 'string',
      valueName: 'text',
      description: 'why (required; the run ends with it)',
    },
  },
  details: ['Nothing is executed. Needs a reviewer (or admin) key.'],
  examples: ['baton reject <task-id> --reason "the charge is correct: annual plan"'],
  async run(context) {
    const [id] = context.positionals as [string];
    const reason = requireString(context.options['reason'], 'reason', 'reject', '<text>');
    const { body: task } = await context.client.rejectTask(id, reason);
    if (context.globals.json) printJson(context, task);
    else
      println(
        context.io.stdout,
        `task ${task.id} rejected; run ${task.runId} ends rejected: ${reason}`,
      );
    return ExitCode.Ok;
  },
};
