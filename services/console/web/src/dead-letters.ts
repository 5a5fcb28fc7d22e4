// The trigger API's dead letters, as the page reads them (docs/http-api.md#dead-letters-admin).

export const DEAD_LETTER_REASONS = [
  'invalid-message',
  'handler-failed',
  'handler-rejected',
  'unsigned',
  'unknown',
] as const;

export interface DeadLetterSummary {
  id: string;
  topic: string;
  partition: number;
  offset: string;
  sourceTopic: string;
  reason: string;
  errors: string[];
  consumer: string | null;
  attempts: number | null;
  failedAt: string;
  key: string | null;
  size: number | null;
  replays: number;
  replayedAt: string | null;
  replayedBy: string | null;
}

export interface DeadLetterTopic {
  topic: string;
  sourceTopic: string;
  total: number;
  open: number;
}

export interface DeadLetterPage {
  items: DeadLetterSummary[];
  nextCursor: string | null;
  topics: DeadLetterTopic[];
}

export interface DeadLetterDetail extends DeadLetterSummary {
  valueFormat: 'json' | 'text' | 'base64' | 'none';
  value: unknown;
  headers: Record<string, string>;
  traceId: string | null;
}

/** What a reason means, for the person deciding whether a replay can help. */
export function reasonHelp(reason: string): string {
  switch (reason) {
    case 'invalid-message':
      return 'The record broke its topic’s contract: a replay fails the same way unless the consumer now reads it.';
    case 'handler-failed':
      return 'The consumer failed on every attempt: replay once the cause (a bug, a missing system) is fixed.';
    case 'handler-rejected':
      return 'The consumer refused it for good (an unknown workflow, a field at fault): replay once that is fixed.';
    case 'unsigned':
      return 'Not signed by this deployment’s services: a replay is refused again, as it should be.';
    default:
      return 'Written to the dead-letter topic without Baton’s headers.';
  }
}

/** The record's value for reading: JSON indented, text as it is, bytes as base64. */
export function shownValue(letter: Pick<DeadLetterDetail, 'valueFormat' | 'value'>): string {
  if (letter.valueFormat === 'none') return '(no value)';
  if (letter.valueFormat === 'json') return JSON.stringify(letter.value, null, 2);
  return String(letter.value);
}

/** "1 replay, last by admin-1": what was done with it. */
export function replayState(letter: Pick<DeadLetterSummary, 'replays' | 'replayedBy'>): string {
  if (letter.replays === 0) return 'not replayed';
  const times = letter.replays === 1 ? '1 replay' : `${letter.replays} replays`;
  return `${times}, last by ${letter.replayedBy ?? 'unknown'}`;
}
