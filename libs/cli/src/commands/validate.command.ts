import type { Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { println } from '../output.js';
import { printJson } from './shared.js';
import { validateDefinitions } from '../validate-definitions.js';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check workflow definitions, listing every problem by path (no service needed)',
  positionals: [{ name: 'file|dir', variadic: true }],
  options: {},
  details: [
    'A file (workflow.yaml or workflow.json), a workflow folder, or a folder of workflow folders',
    'such as workflows/. Checks what the services check when they load definitions: structure,',
    'the cross-field checks, cron syntax. Exit code: 0 when all are valid, 1 otherwise.',
    '--json prints { valid, files: [{ file, ok, workflow | problems }] }.',
  ],
  examples: ['baton validate workflows', 'baton validate workflows/billing-dispute/workflow.yaml'],
  async run(context) {
    const verdicts = await validateDefinitions(context.positionals, context.io.cwd);
    const valid = verdicts.every((v) => v.ok);
    if (context.globals.json) {
      printJson(context, { valid, files: verdicts });
      return valid ? ExitCode.Ok : ExitCode.Failed;
    }
    const { style } = context;
    for (const verdict of verdicts) {
      if (verdict.ok) {
        println(
          context.io.stdout,
          `${style('green', '✓')} ${verdict.file}  ${style('dim', `${verdict.workflow.id} v${verdict.workflow.version}`)}`,
        );
        continue;
      }
      const count = verdict.problems.length;
      println(
        context.io.stdout,
        `${style('red', '✗')} ${verdict.file}  ${style('red', `${count} problem${count === 1 ? '' : 's'}`)}`,
        ...verdict.errors.map((error) => `    ${error}`),
      );
    }
    const bad = verdicts.filter((v) => !v.ok).length;
    println(
      context.io.stdout,
      '',
      bad
        ? style(
            'red',
            `${bad} of ${verdicts.length} definition${verdicts.length === 1 ? '' : 's'} invalid`,
          )
        : style('green', `${verdicts.length} definition${verdicts.length === 1 ? '' : 's'} valid`),
    );
    return valid ? ExitCode.Ok : ExitCode.Failed;
  },
};
