import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from '../command.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { println } from '../output.js';
import { validateDefinitions } from '../validate-definitions.js';
import { printJson } from './shared.js';

export const publishCommand: Command = {
  name: 'publish',
  summary: 'publish a workflow version to every service (POST /v1/workflows)',
  positionals: [{ name: 'file' }],
  options: {
    candidate: {
      type: 'boolean',
      description:
        'publish a candidate: new triggers do not start it until `baton promote` (which checks its publish gate)',
    },
  },
  details: [
    'A definition file (workflow.yaml or workflow.json) or a folder holding one. It is validated',
    'here first, like `baton validate` (every problem by path, exit 1, nothing sent); then the',
    'trigger service publishes it to the workflow registry, which every service follows.',
    'A published version never changes: the same definition again is "already published" (exit 0);',
    'other content under a published id and version is refused (HTTP 409, exit 1): raise `version`.',
    'Runs already started keep their version; new triggers start the highest live one.',
    'With --candidate the version is published but not live: backtest it, run its cases with',
    '--record, then `baton promote`. A definition that declares a publish gate (`publish`) is',
    'refused live while its workflow has a live version (HTTP 409 publish-gate-required).',
    'Needs an admin key. --json prints the API answer (or { published: false, problems } when',
    'the file is invalid).',
  ],
  examples: [
    'baton publish workflows/billing-dispute/workflow.yaml',
    'baton publish billing-dispute-v2.yaml --json',
    'baton publish billing-dispute-v2.yaml --candidate',
  ],
  async run(context) {
    const { io, style } = context;
    const verdicts = await validateDefinitions(context.positionals, io.cwd);
    if (verdicts.length !== 1) {
      throw new UsageError(
        `${context.positionals[0]} holds ${verdicts.length} definitions; publish one file at a time`,
        'publish',
      );
    }
    const verdict = verdicts[0]!;
    if (!verdict.ok) {
      if (context.globals.json) {
        printJson(context, { published: false, file: verdict.file, problems: verdict.problems });
        return ExitCode.Failed;
      }
      const count = verdict.problems.length;
      println(
        io.stdout,
        `${style('red', '✗')} ${verdict.file}  ${style('red', `${count} problem${count === 1 ? '' : 's'}`)}`,
        ...verdict.errors.map((error) => `    ${error}`),
        '',
        style('red', 'not published: fix the definition first'),
      );
      return ExitCode.Failed;
    }
    const { parseWorkflow } = await import('@baton/workflow');
    const loaded = parseWorkflow(readFileSync(resolve(io.cwd, verdict.file), 'utf8'), {
      fileName: verdict.file,
    });
    if (!loaded.ok) throw new Error(`${verdict.file} changed while it was read`);

    const candidate = context.options['candidate'] === true;
    const { status, body } = await context.client.publishWorkflow(loaded.document, {
      ...(candidate ? { candidate } : {}),
    });
    if (context.globals.json) {
      printJson(context, body);
      return ExitCode.Ok;
    }
    const name = `${body.id} v${body.version}`;
    const digest = style('dim', `digest ${(body.digest ?? '').slice(0, 12)}`);
    if (status === 200) {
      println(
        io.stdout,
        `${style('green', '✓')} ${name} is already published (identical)  ${digest}`,
      );
      return ExitCode.Ok;
    }
    if (body.candidate) {
      println(
        io.stdout,
        `${style('green', '✓')} published ${name} as a candidate  ${digest}`,
        `  new triggers of ${body.id} do not start it; backtest it, then: baton promote ${body.id} ${body.version}`,
      );
      return ExitCode.Ok;
    }
    println(
      io.stdout,
      `${style('green', '✓')} published ${name}  ${digest}`,
      body.latest
        ? `  new triggers of ${body.id} start v${body.version}; runs already started keep their version`
        : `  ${body.id} has a higher version: new triggers start that one unless they pin v${body.version}`,
    );
    return ExitCode.Ok;
  },
};
