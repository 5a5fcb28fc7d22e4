import type { Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { formatTask } from '../format/task.js';
import { println } from '../output.js';
import { printJson } from './shared.js';

export const taskCommand: Command = {
  name: 'task',
  summary: 'show a review task with its proposal and evidence (GET /v1/tasks/:id)',
  positionals: [{ name: 'task-id' }],
  options: {},
  details: [
    'Why the run escalated, the proposal (label, confidence, rationale, tool and args), the',
    "trigger's data, the evidence (weak evidence flagged), the run's history and, once decided,",
    'who decided what. Needs a reviewer (or admin) key.',
  ],
  examples: ['baton task <task-id>'],
  async run(context) {
    const [id] = context.positionals as [string];
    const { body } = await context.client.getTask(id);
    if (context.globals.json) printJson(context, body);
    else println(context.io.stdout, ...formatTask(body, context.style));
    return ExitCode.Ok;
  },
};
