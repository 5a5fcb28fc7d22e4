import type { Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { println } from '../output.js';
import { optionalString, printJson, readJsonObject } from './shared.js';

export const approveCommand: Command = {
  name: 'approve',
  summary: 'approve a review task, as proposed or with edited args (POST /v1/tasks/:id/approve)',
  positionals: [{ name: 'task-id' }],
  options: {
    args: {
      type: 'string',
      valueName: 'json|@file',
      description: "replace the proposal's args (recorded as edited)",
    },
    tool: {
      type: 'string',
      valueName: 'tool',
      description:
        'only for a task without a proposed action: the granted tool to run (with --args)',
    },
    note: { type: 'string', valueName: 'text', description: 'a note kept with the decision' },
  },
  details: [
    'The run resumes with the (edited) action. Deciding a task that is not open fails (exit 1),',
    'naming who decided it first. Needs a reviewer (or admin) key.',
  ],
  examples: [
    'baton approve <task-id>',
    `baton approve <task-id> --args '{"customerId":"cus_1001","invoiceId":"inv_2001","amount":60}' --note "half, per policy 4.2"`,
  ],
  async run(context) {
    const [id] = context.positionals as [string];
    const { options, io } = context;
    const args = optionalString(options['args']);
    const tool = optionalString(options['tool']);
    const note = optionalString(options['note']);
    const body = {
      ...(tool ? { tool } : {}),
      ...(args ? { args: readJsonObject(args, 'args', 'approve', io.cwd) } : {}),
      ...(note ? { note } : {}),
    };
    const { body: task } = await context.client.approveTask(id, body);
    if (context.globals.json) {
      printJson(context, task);
      return ExitCode.Ok;
    }
    const decision = task.decision;
    println(
      io.stdout,
      `task ${task.id} ${decision?.outcome ?? task.status}${decision?.reviewer ? ` by ${decision.reviewer.name}` : ''}; run ${task.runId} resumes`,
      `follow it: baton run ${task.runId} --wait`,
    );
    return ExitCode.Ok;
  },
};
