import { randomBytes } from 'node:crypto';
import type { WorkflowDefinition } from '@baton/workflow';
import { ApiError, UnreachableError, type ApiClient } from '../api-client.js';
import { isTerminal, type Run, type TaskSummary } from '../api-types.js';
import { compare, observe, type Difference, type Observed } from './compare.js';
import type { RunScript, ScriptedModelServer } from './scripted-model.js';
import type { ReviewStep, WorkflowCase } from './workflow-case.js';

export interface CaseRunOptions {
  /** Starts runs (publisher or admin key). */
  client: ApiClient;
  /** Reads runs and tasks, decides tasks (reviewer or admin key). */
  reviewer: ApiClient;
  model: ScriptedModelServer;
  workflow: WorkflowDefinition;
  tenantId: string;
  /** Per case: the run must end (or wait for review) within this. */
  timeoutMs: number;
  /** Cancel runs the case left waiting for review or running (default true). */
  cleanUp: boolean;
  intervalMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Distinguishes this invocation's idempotency keys; random by default. */
  nonce?: string;
  /** Called with what the case is doing, for a progress line. */
  onProgress?: (text: string) => void;
}

export interface CaseResult {
  name: string;
  file: string;
  description: string;
  tags: string[];
  passed: boolean;
  durationMs: number;
  runId?: string;
  /** Empty when the case passed. */
  differences: Difference[];
  /** What the run did, when it could be read. */
  observed?: Observed;
  /** The model calls the run made against the case's script. */
  modelCalls?: RunScript['calls'];
}

/** Baton could not be reached: the whole command stops (every other case would fail alike). */
export class CasesUnreachable extends Error {
  constructor(readonly unreachable: UnreachableError) {
    super(unreachable.message);
    this.name = 'CasesUnreachable';
  }
}

/**
 * Runs one case against a running Baton: sends its event (the same idempotency key
 * `repeat` times, each answer naming the same run), registers its model script for the run,
 * follows the run, performs the review entries on its open tasks in order, and compares the
 * end with the case's `expect`.
 */
export async function runCase(
  workflowCase: WorkflowCase,
  options: CaseRunOptions,
): Promise<CaseResult> {
  const started = Date.now();
  const { client, reviewer, model } = options;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const differences: Difference[] = [];
  const result = (extra: Partial<CaseResult>): CaseResult => ({
    name: workflowCase.name,
    file: workflowCase.file,
    description: workflowCase.description,
    tags: workflowCase.tags,
    passed: differences.length === 0,
    durationMs: Date.now() - started,
    differences,
    ...extra,
  });
  const progress = (text: string) => options.onProgress?.(text);

  const nonce = options.nonce ?? randomBytes(6).toString('hex');
  const { trigger } = workflowCase;
  const event = {
    schemaVersion: 1,
    idempotencyKey: `case:${options.workflow.id}:${workflowCase.name}:${nonce}`,
    workflowId: options.workflow.id,
    tenantId: options.tenantId,
    eventType: trigger.eventType,
    source: trigger.source ?? 'baton-cases',
    occurredAt: new Date().toISOString(),
    data: trigger.data,
  };

  let runId: string;
  let script: RunScript;
  try {
    progress('sending the event');
    const answer = (await client.trigger(event)).body;
    if (!answer.runId) {
      // The workflow's trigger.filters ignored the event: no run to compare.
      differences.push({
        field: 'trigger',
        expected: 'the event accepted (a run started)',
        actual: `${answer.status ?? 'no run'}${answer.reason ? ` (${answer.reason})` : ''}`,
      });
      return result({});
    }
    runId = answer.runId;
    script = model.register(runId, workflowCase.model);
    for (let send = 2; send <= trigger.repeat; send += 1) {
      const again = (await client.trigger(event)).body;
      if (again.runId !== runId || again.duplicate !== true) {
        differences.push({
          field: `trigger.repeat (send ${send})`,
          expected: `the same run ${runId}, marked duplicate`,
          actual: `run ${again.runId}${again.duplicate ? ', duplicate' : ', not marked duplicate'}`,
        });
      }
    }
  } catch (error) {
    if (error instanceof UnreachableError) throw new CasesUnreachable(error);
    differences.push({
      field: 'trigger',
      expected: 'the event accepted (a run started)',
      actual: describeError(error),
    });
    return result({});
  }

  try {
    const followed = await follow(runId, workflowCase.review, options, sleep, progress);
    differences.push(...followed.differences);
    const tasks = await tasksOf(reviewer, runId);
    const observed = observe(followed.run, tasks, options.workflow);
    if (followed.timedOut) {
      differences.push({
        field: 'run',
        expected: `ended or waiting for review within ${Math.round(options.timeoutMs / 1000)} s`,
        actual: `still ${followed.run.status} (${followed.run.steps.length} steps)`,
      });
    }
    differences.push(...compare(workflowCase.expect, observed, script));
    if (options.cleanUp && !isTerminal(followed.run.status)) await cancel(reviewer, runId);
    return result({ runId, observed, modelCalls: script.calls });
  } catch (error) {
    if (error instanceof UnreachableError) throw new CasesUnreachable(error);
    differences.push({ field: 'run', expected: 'readable', actual: describeError(error) });
    return result({ runId, modelCalls: script.calls });
  } finally {
    model.unregister(runId);
  }
}

interface Followed {
  run: Run;
  timedOut: boolean;
  differences: Difference[];
}

/** Polls the run until it ends, or waits for review with no review entry left. */
async function follow(
  runId: string,
  review: ReviewStep[],
  options: CaseRunOptions,
  sleep: (ms: number) => Promise<void>,
  progress: (text: string) => void,
): Promise<Followed> {
  const { reviewer } = options;
  const deadline = Date.now() + options.timeoutMs;
  const decided = new Set<string>();
  const differences: Difference[] = [];
  let next = 0;
  for (;;) {
    const run = (await reviewer.getRun(runId)).body;
    if (isTerminal(run.status)) return { run, timedOut: false, differences };
    if (run.status === 'waiting-for-review') {
      const open = (await tasksOf(reviewer, runId, 'open')).filter((task) => !decided.has(task.id));
      const task = open[0];
      if (task) {
        const step = review[next];
        if (!step) return { run, timedOut: false, differences };
        next += 1;
        decided.add(task.id);
        progress(`review ${next}: ${'approve' in step ? 'approve' : 'reject'}`);
        const problem = await decide(reviewer, task, step);
        if (problem) {
          differences.push({
            field: `review.${next - 1}`,
            expected: 'the decision recorded',
            actual: problem,
          });
          return { run, timedOut: false, differences };
        }
        continue;
      }
    }
    if (Date.now() >= deadline) return { run, timedOut: true, differences };
    progress(`${run.status} · ${run.steps.length} step${run.steps.length === 1 ? '' : 's'}`);
    await sleep(options.intervalMs ?? 250);
  }
}

async function decide(
  client: ApiClient,
  task: TaskSummary,
  step: ReviewStep,
): Promise<string | undefined> {
  try {
    if ('reject' in step) {
      await client.rejectTask(task.id, step.reject.reason);
    } else {
      const { args, tool, note } = step.approve;
      // Edited arguments are merged over the proposal's: a case names only what it changes.
      const merged = args ? { ...(task.proposal?.args ?? {}), ...args } : undefined;
      await client.approveTask(task.id, {
        ...(tool ? { tool } : {}),
        ...(merged ? { args: merged } : {}),
        ...(note ? { note } : {}),
      });
    }
    return undefined;
  } catch (error) {
    if (error instanceof UnreachableError) throw error;
    return `${'reject' in step ? 'reject' : 'approve'} of task ${task.id} failed: ${describeError(error)}`;
  }
}

/** The run's tasks, oldest first (the filter is checked here too, for an older service). */
async function tasksOf(client: ApiClient, runId: string, status?: string): Promise<TaskSummary[]> {
  const { body } = await client.listTasks({ runId, limit: 200, ...(status ? { status } : {}) });
  return body.items.filter((task) => task.runId === runId).sort((a, b) => a.id.localeCompare(b.id));
}

async function cancel(client: ApiClient, runId: string): Promise<void> {
  try {
    await client.cancelRun(runId, 'baton cases: the case is finished');
  } catch (error) {
    // Tidying up only: a run that ended meanwhile, or a key that may not cancel, is fine.
    if (error instanceof UnreachableError) throw error;
  }
}

function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    return `HTTP ${error.status}${error.code ? ` ${error.code}` : ''}: ${error.problems.join('; ')}`;
  }
  return error instanceof Error ? error.message : String(error);
}
