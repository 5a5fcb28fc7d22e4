import type { Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { println } from '../output.js';
import { exitCodeOfRun, waitForRun } from '../wait-for-run.js';
import { readInteger, showRun } from './shared.js';

export const runCommand: Command = {
  name: 'run',
  summary: 'show a run step by step (GET /v1/runs/:id)',
  positionals: [{ name: 'run-id' }],
  options: {
    wait: {
      type: 'boolean',
      description: 'poll until the run ends or waits for review, then show it',
    },
    timeout: {
      type: 'string',
      valueName: 'seconds',
      description: 'with --wait: give up after this long (default 300)',
    },
  },
  details: [
    'Each step: seq, kind, name, outcome and duration, then what it concluded: the decision',
    "(label, confidence, who decided, rationale, the proposed tool and args), the tool's args and",
    "result, the validation's verdict, the review task. The run's status and reason close it.",
    'Exit code: 0; with --wait, 1 when the run failed, was rejected or cancelled, or did not',
    'settle in time. Needs a reviewer (or admin) key.',
  ],
  examples: ['baton run 0197a8c4-5e1b-7c3d-9f20-4b6e8a1d2c3f', 'baton run <run-id> --wait --json'],
  async run(context) {
    const [id] = context.positionals as [string];
    const timeout = readInteger(context.options['timeout'], 'timeout', 'run', {
      min: 1,
      max: 86_400,
    });
    if (context.options['wait']) {
      const waited = await waitForRun(context.client, id, context.io, {
        timeoutMs: (timeout ?? 300) * 1000,
      });
      showRun(context, waited.run);
      if (waited.timedOut && !context.globals.json) {
        println(
          context.io.stderr,
          `run ${id} is still ${waited.run.status} after ${timeout ?? 300} s; it goes on: baton run ${id}`,
        );
      }
      return exitCodeOfRun(waited.run, waited.timedOut);
    }
    const { body } = await context.client.getRun(id);
    showRun(context, body);
    return ExitCode.Ok;
  },
};
