import { UnreachableError, type ApiClient } from '../api-client.js';
import { isTerminal } from '../api-types.js';
import { CasesUnreachable, cancel, describeError } from './case-api.js';
import { scriptDifference, type Difference } from './compare.js';
import type { RunScript, ScriptedModelServer } from './scripted-model.js';
import type { WorkflowDefinition } from '@baton/workflow';
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
  /** Its write tools with effect limits: their writes are waited for on the escalation side. */
  workflow?: Pick<WorkflowDefinition, 'tools'>;
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
    const counted = await countedByEscalation(runId, options, deadline, sleep);
    if (!counted.ok) {
      return {
        result: { runId, status, modelCalls: script.calls },
        differences: [{ field, expected: counted.expected, actual: counted.actual }],
      };
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

/**
 * The escalation service checks an approval against its copy of the effect ledger, which
 * follows the effects topic a moment behind the action service. A case whose own run needs
 * an approval refused by what an earlier run wrote waits until that copy holds the earlier
 * run's limited writes, so the case says the same thing however busy the machine is.
 */
async function countedByEscalation(
  runId: string,
  options: EarlierRunOptions,
  deadline: number,
  sleep: (ms: number) => Promise<void>,
): Promise<{ ok: true } | { ok: false; expected: string; actual: string }> {
  const limited = new Set(
    (options.workflow?.tools ?? []).filter((tool) => tool.limits?.length).map((tool) => tool.name),
  );
  if (!limited.size) return { ok: true };
  const run = (await options.reviewer.getRun(runId)).body;
  const writes = run.steps.filter(
    (step) =>
      step.kind === 'action' &&
      (step.outcome === 'succeeded' || step.outcome === 'simulated') &&
      limited.has(String(step.output?.['tool'] ?? '')),
  ).length;
  if (!writes) return { ok: true };
  for (;;) {
    const { items } = (await options.reviewer.listEffects({ runId })).body;
    const seen = new Set(items.map((item) => item.callKey)).size;
    if (seen >= writes) return { ok: true };
    if (Date.now() >= deadline) {
      return {
        ok: false,
        expected: `its ${writes} limited write(s) counted by the escalation service`,
        actual: `${seen} counted when the case's time was up`,
      };
    }
    await sleep(options.intervalMs ?? 250);
  }
}
