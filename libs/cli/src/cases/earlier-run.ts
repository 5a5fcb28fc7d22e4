import { UnreachableError, type ApiClient } from '../api-client.js';
import { isTerminal } from '../api-types.js';
import { CasesUnreachable, cancel, describeError } from './case-api.js';
import { scriptDifference, type Difference } from './compare.js';
import type { RunScript, ScriptedModelServer } from './scripted-model.js';
import type { EarlierRun } from './workflow-case.js';

/** What became of one earlier run. */
export interface EarlierResult {
  runId?: string;
  /** Its status when the case went on (`cancelled` when it was left waiting for review). */
  status?: string;
  modelCalls?: RunScript['calls'];
}

export interface EarlierRunOptions {
  client: ApiClient;
  reviewer: ApiClient;
  model: ScriptedModelServer;
  /** The run must end (or wait for review) within this. */
  timeoutMs: number;
  intervalMs?: number;
}

/**
 * One earlier run: started, followed to its end — or to a review task, and then cancelled, so
 * it has ended before the next run starts — and checked against its model script. What it
 * wrote stays written and counted.
 */
export async function runEarlier(
  run: EarlierRun,
  index: number,
  event: Record<string, unknown>,
  options: EarlierRunOptions,
  sleep: (ms: number) => Promise<void>,
): Promise<{ result: EarlierResult; differences: Difference[] }> {
  const { client, reviewer, model } = options;
  const field = `earlier.${index}`;
  let runId: string;
  try {
    const answer = (await client.trigger(event)).body;
    if (!answer.runId) {
      return {
        result: {},
        differences: [
          {
            field,
            expected: 'the event accepted (a run started)',
            actual: `${answer.status ?? 'no run'}${answer.reason ? ` (${answer.reason})` : ''}`,
          },
        ],
      };
    }
    runId = answer.runId;
  } catch (error) {
    if (error instanceof UnreachableError) throw new CasesUnreachable(error);
    return {
      result: {},
      differences: [
        { field, expected: 'the event accepted (a run started)', actual: describeError(error) },
      ],
    };
  }
  const script = model.register(runId, run.model);
  try {
    const deadline = Date.now() + options.timeoutMs;
    let current = (await reviewer.getRun(runId)).body;
    while (!isTerminal(current.status) && current.status !== 'waiting-for-review') {
      if (Date.now() >= deadline) {
        await cancel(reviewer, runId);
        return {
          result: { runId, status: current.status, modelCalls: script.calls },
          differences: [
            {
              field,
              expected: `ended or waiting for review within ${Math.round(options.timeoutMs / 1000)} s`,
              actual: `still ${current.status} (${current.steps.length} steps)`,
            },
          ],
        };
      }
      await sleep(options.intervalMs ?? 250);
      current = (await reviewer.getRun(runId)).body;
    }
    let status = current.status;
    if (!isTerminal(status)) {
      // Waiting for review: ended here, so the next run starts after it, as the case says.
      await cancel(
        reviewer,
        runId,
        'baton cases: an earlier run of the case, ended before the next',
      );
      status = 'cancelled';
    }
    const calls = scriptDifference(script, `${field}.model`);
    return {
      result: { runId, status, modelCalls: script.calls },
      differences: calls ? [calls] : [],
    };
  } catch (error) {
    if (error instanceof UnreachableError) throw new CasesUnreachable(error);
    return {
      result: { runId, modelCalls: script.calls },
      differences: [{ field, expected: 'readable', actual: describeError(error) }],
    };
  } finally {
    model.unregister(runId);
  }
}
