import type { Command } from '../command.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { println } from '../output.js';
import type { PublishGateReport } from '../workflow-types.js';
import { optionalString, printJson } from './shared.js';

export const promoteCommand: Command = {
  name: 'promote',
  summary:
    'make a candidate version live once its publish gate is met (POST /v1/workflows/{id}/versions/{v}/promote)',
  positionals: [{ name: 'workflow' }, { name: 'version' }],
  options: {
    override: {
      type: 'string',
      valueName: 'reason',
      description:
        'promote even though the publish gate is not met; the reason is recorded on the version with who promoted it',
    },
  },
  details: [
    'A candidate (`baton publish --candidate`) is published but new triggers do not start it.',
    'Promoting it makes it the version they start, in every service. When its definition declares',
    'a publish gate (`publish.requires`), the trigger service checks it first: the most recent',
    'finished backtest of the version against the live one meets its thresholds (`backtest`), and',
    'the most recent case results recorded for it (`baton cases --record`) all passed (`cases`).',
    'A gate not met is refused (HTTP 409 publish-gate-failed, exit 1) with each requirement, what',
    'was measured and the threshold. --override "<reason>" promotes anyway. A version already live',
    'is left as it is (exit 0); a candidate below the live version is refused (HTTP 409).',
    'Needs an admin key. --json prints the API answer.',
  ],
  examples: [
    'baton promote billing-dispute 4',
    'baton promote billing-dispute 4 --override "hotfix for INC-42; backtest to follow"',
  ],
  async run(context) {
    const { io, style, positionals } = context;
    const workflow = positionals[0]!;
    const version = Number(positionals[1]);
    if (!Number.isInteger(version) || version < 1 || version > 2147483647)
      throw new UsageError(`version: ${positionals[1]} is not a version number`, 'promote');
    const reason = optionalString(context.options['override']);
    if (context.options['override'] !== undefined && !reason)
      throw new UsageError('--override: say why the gate is overridden', 'promote');
    const { body } = await context.client.promoteWorkflow(workflow, version, {
      ...(reason ? { override: { reason } } : {}),
    });
    if (context.globals.json) {
      printJson(context, body);
      return ExitCode.Ok;
    }
    const name = `${body.id} v${body.version}`;
    if (!body.promoted) {
      println(io.stdout, `${style('green', '✓')} ${name} is live already`);
      return ExitCode.Ok;
    }
    println(
      io.stdout,
      `${style('green', '✓')} promoted ${name}: new triggers of ${body.id} start it`,
      ...(body.gate ? gateLines(body.gate, style) : []),
      ...(body.overrideReason
        ? [style('yellow', `  gate overridden by ${body.promotedBy}: ${body.overrideReason}`)]
        : []),
    );
    return ExitCode.Ok;
  },
};

/** Each requirement of a checked gate, one line each. */
export function gateLines(
  gate: PublishGateReport,
  style: (colour: 'green' | 'red', text: string) => string,
): string[] {
  return gate.requirements.map(
    (r) => `  ${r.met ? style('green', '✓') : style('red', '✗')} ${r.requirement}: ${r.summary}`,
  );
}
