import { ApiError, UnreachableError, type ApiClient } from '../api-client.js';
import type { TriggerAnswer } from '../api-types.js';
import { CasesUnreachable, describeError } from './case-api.js';
import type { Difference } from './compare.js';
import type { DuplicateAnswer } from './workflow-case.js';

/** The trigger's answer to an event an earlier run took over (`trigger.dedup`, join). */
export type JoinAnswer = TriggerAnswer & { joined?: boolean };

/** The error code of an event refused as the same business event (`trigger.dedup`, refuse). */
export const DUPLICATE_EVENT = 'duplicate-event';

/**
 * Sends the event of a case whose `expect.duplicate` says it is the same business event as one
 * of its earlier runs, `repeat` times: each answer must be `joined` (HTTP 200, `joined: true`,
 * the id of an earlier run of the case) or `refused` (HTTP 409 `duplicate-event` naming one),
 * and name the same run. Gives that run's id: the run the rest of `expect` describes.
 */
export async function sendDuplicate(
  client: ApiClient,
  event: Record<string, unknown>,
  {
    expected,
    repeat,
    earlierRunIds,
  }: {
    expected: DuplicateAnswer;
    repeat: number;
    earlierRunIds: string[];
  },
): Promise<{ runId?: string; strayRunIds: string[]; differences: Difference[] }> {
  const differences: Difference[] = [];
  // Runs the event started after all (not a duplicate): the caller cancels them.
  const strayRunIds = new Set<string>();
  const runs = earlierRunIds.length ? earlierRunIds.join(', ') : 'none';
  const wanted =
    expected === 'joined'
      ? `joined to an earlier run of the case (HTTP 200, joined: true; earlier runs: ${runs})`
      : `refused as ${DUPLICATE_EVENT} (HTTP 409) naming an earlier run of the case (${runs})`;
  let runId: string | undefined;
  for (let send = 1; send <= repeat; send += 1) {
    const field = send === 1 ? 'duplicate' : `duplicate (send ${send})`;
    const answered = await answerTo(client, event);
    const named =
      answered.kind === 'answer'
        ? expected === 'joined' && answered.body.joined === true
          ? earlierRunIds.find((id) => id === answered.body.runId)
          : undefined
        : expected === 'refused' && answered.status === 409 && answered.code === DUPLICATE_EVENT
          ? earlierRunIds.find((id) => answered.text.includes(id))
          : undefined;
    if (answered.kind === 'answer' && answered.body.runId && !answered.body.joined)
      strayRunIds.add(answered.body.runId);
    if (!named || (runId !== undefined && named !== runId)) {
      differences.push({ field, expected: wanted, actual: describe(answered) });
      continue;
    }
    runId = named;
  }
  return {
    ...(runId && !differences.length ? { runId } : {}),
    strayRunIds: [...strayRunIds],
    differences,
  };
}

type Answered =
  | { kind: 'answer'; body: JoinAnswer }
  | { kind: 'error'; status: number; code?: string; text: string; described: string };

async function answerTo(client: ApiClient, event: Record<string, unknown>): Promise<Answered> {
  try {
    return { kind: 'answer', body: (await client.trigger(event)).body };
  } catch (error) {
    if (error instanceof UnreachableError) throw new CasesUnreachable(error);
    if (!(error instanceof ApiError))
      return { kind: 'error', status: 0, text: '', described: describeError(error) };
    return {
      kind: 'error',
      status: error.status,
      ...(error.code ? { code: error.code } : {}),
      // The refusal names the earlier run in its message and problems.
      text: [...error.problems, JSON.stringify(error.body)].join('\n'),
      described: describeError(error),
    };
  }
}

function describe(answered: Answered): string {
  if (answered.kind === 'error') return answered.described;
  const { runId, joined, duplicate, status } = answered.body;
  if (!runId)
    return `${status ?? 'no run'}${answered.body.reason ? ` (${answered.body.reason})` : ''}`;
  if (joined) return `joined run ${runId}, not one of the case's earlier runs`;
  return duplicate ? `run ${runId} (a resend of its key)` : `a run of its own started: ${runId}`;
}
