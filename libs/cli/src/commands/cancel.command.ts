import type { Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { println } from '../output.js';
import { printJson, requireString } from './shared.js';

export const cancelCommand: Command = {
  name: 'cancel',
  summary: 'end a run that has not ended (POST /v1/runs/:id/cancel)',
  positionals: [{ name: 'run-id' }],
  options: {
    reason: {
      type: 'string',
      valueName: 'text',
      description: 'why (required; recorded on the run)',
    },
  },
  details: [
    "The run's open review tasks are closed; a step under way finishes, nothing after it is sent on.",
    'A run that has already ended cannot be cancelled (exit 1). Needs a reviewer (or admin) key.',
  ],
  examples: ['baton cancel <run-id> --reason "customer withdrew the dispute"'],
  async run(context) {
    const [id] = context.positionals as [string];
    const reason = requireString(context.options['reason'], 'reason', 'cancel', '<text>');
    const { body } = await context.client.cancelRun(id, reason);
    if (context.globals.json) printJson(context, body);
    else println(context.io.stdout, `run ${body.runId} ${body.status}: ${body.reason}`);
    return ExitCode.Ok;
  },
};
