import type { DeadLetterSummary } from '../api-types.js';
import type { Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { formatTime, table, truncate } from '../format/values.js';
import { println, type Stylize } from '../output.js';
import { optionalString, printJson, readChoice, readInteger } from './shared.js';

const REASONS = [
  'invalid-message',
  'handler-failed',
  'handler-rejected',
  'unsigned',
  'unknown',
] as const;

/** One line per dead letter: where it goes back to, why, and whether it was replayed. */
export function formatDeadLetterRows(letters: DeadLetterSummary[], style: Stylize): string[] {
  if (letters.length === 0) return ['no dead letters'];
  const rows = [
    ['DEAD LETTER', 'SOURCE TOPIC', 'REASON', 'FAILED', 'REPLAYS', 'ERROR'],
    ...letters.map((letter) => [
      letter.id,
      letter.sourceTopic,
      letter.reason,
      formatTime(letter.failedAt),
      String(letter.replays),
      truncate(letter.errors[0] ?? '', 60),
    ]),
  ];
  return table(rows, [], (cell, row, column) => {
    if (row === 0) return style('bold', cell);
    if (column === 2) return style('red', cell);
    return cell;
  });
}

export const deadLettersCommand: Command = {
  name: 'dead-letters',
  summary: 'list what lies in the dead-letter topics, or replay one (GET /v1/dead-letters)',
  positionals: [],
  options: {
    topic: { type: 'string', valueName: 'topic', description: 'only this dead-letter topic' },
    reason: {
      type: 'string',
      valueName: 'reason',
      description: `only this reason: ${REASONS.join(', ')}`,
    },
    status: {
      type: 'string',
      valueName: 'status',
      description: 'open (never replayed) or replayed',
    },
    limit: { type: 'string', valueName: 'n', description: 'at most n, 1–200 (default 50)' },
    cursor: {
      type: 'string',
      valueName: 'cursor',
      description: 'the next page (printed below a full page)',
    },
    replay: {
      type: 'string',
      valueName: 'id',
      description:
        'send this dead letter back to its source topic as it was, once its cause is fixed',
    },
  },
  details: [
    'The trigger service collects every record that reaches a dead-letter topic; a replay keeps',
    'its key, value and headers (a forged record is refused again). Needs an admin key.',
  ],
  examples: ['baton dead-letters --status open', 'baton dead-letters --replay 019a…'],
  async run(context) {
    const { options } = context;
    const replay = optionalString(options['replay']);
    if (replay !== undefined) {
      const { body } = await context.client.replayDeadLetter(replay);
      if (context.globals.json) printJson(context, body);
      else
        println(
          context.io.stdout,
          `dead letter ${body.id} sent back to ${body.sourceTopic} (${body.replays} replay${body.replays === 1 ? '' : 's'})`,
        );
      return ExitCode.Ok;
    }
    const { body } = await context.client.listDeadLetters({
      topic: optionalString(options['topic']),
      reason: readChoice(options['reason'], 'reason', 'dead-letters', REASONS),
      status: readChoice(options['status'], 'status', 'dead-letters', ['open', 'replayed']),
      limit: readInteger(options['limit'], 'limit', 'dead-letters', { min: 1, max: 200 }),
      cursor: optionalString(options['cursor']),
    });
    if (context.globals.json) {
      printJson(context, body);
      return ExitCode.Ok;
    }
    for (const topic of body.topics)
      println(context.io.stdout, `${topic.topic}: ${topic.open} waiting of ${topic.total}`);
    if (body.topics.length) println(context.io.stdout, '');
    println(context.io.stdout, ...formatDeadLetterRows(body.items, context.style));
    if (body.nextCursor)
      println(context.io.stdout, '', `more: baton dead-letters --cursor ${body.nextCursor}`);
    return ExitCode.Ok;
  },
};
