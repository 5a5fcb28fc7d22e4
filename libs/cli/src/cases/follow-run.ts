import { ApiError, UnreachableError, type ApiClient } from '../api-client.js';
import { isTerminal, type Run, type TaskSummary } from '../api-types.js';
import { describeError, tasksOf } from './case-api.js';
import { matches, showExpected, type Difference } from './compare.js';
import type { ReviewStep } from './workflow-case.js';

export interface Followed {
  run: Run;
  timedOut: boolean;
  differences: Difference[];
}

/**
 * Polls the run until it ends, or waits for review with no review entry left. Each entry
 * decides the oldest open task; an approval the case expects refused (`refused`) must get
 * HTTP 422 with a matching problem, and then the task stays open for the next entry.
 */
export async function follow(
  runId: string,
  review: ReviewStep[],
  options: { reviewer: ApiClient; timeoutMs: number; intervalMs?: number },
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
        const field = `review.${next}`;
        next += 1;
        progress(`review ${next}: ${'approve' in step ? 'approve' : 'reject'}`);
        const answer = await decide(reviewer, task, step);
        const expected = 'approve' in step ? step.refused : undefined;
        if (answer.kind === 'failed') {
          differences.push({ field, expected: 'the decision recorded', actual: answer.message });
          return { run, timedOut: false, differences };
        }
        if (answer.kind === 'refused') {
          const text = answer.problems.join('; ');
          if (expected === undefined) {
            differences.push({
              field,
              expected: 'the decision recorded',
              actual: `approve of task ${task.id} refused (HTTP ${answer.status}${answer.code ? ` ${answer.code}` : ''}): ${text}`,
            });
            return { run, timedOut: false, differences };
          }
          if (!answer.problems.some((line) => matches(expected, line))) {
            differences.push({
              field: `${field}.refused`,
              expected: `HTTP 422 with a problem that ${showRefusal(expected)}`,
              actual: `HTTP ${answer.status}: ${text}`,
            });
          }
          // Refused: nothing was recorded and the task is still open; the next entry decides it.
          continue;
        }
        decided.add(task.id);
        if (expected !== undefined) {
          differences.push({
            field: `${field}.refused`,
            expected: `HTTP 422 with a problem that ${showRefusal(expected)}`,
            actual: `the approval was accepted (task ${task.id} approved)`,
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

function showRefusal(expected: string): string {
  const shown = showExpected(expected);
  return shown.startsWith('contains') ? shown : `is ${shown}`;
}

type Decided =
  | { kind: 'recorded' }
  /** The service refused the decision as it stands (HTTP 422): the task is left open. */
  | { kind: 'refused'; status: number; code?: string; problems: string[] }
  | { kind: 'failed'; message: string };

async function decide(client: ApiClient, task: TaskSummary, step: ReviewStep): Promise<Decided> {
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
    return { kind: 'recorded' };
  } catch (error) {
    if (error instanceof UnreachableError) throw error;
    if (error instanceof ApiError && error.status === 422 && 'approve' in step) {
      return {
        kind: 'refused',
        status: error.status,
        ...(error.code ? { code: error.code } : {}),
        problems: error.problems,
      };
    }
    return {
      kind: 'failed',
      message: `${'reject' in step ? 'reject' : 'approve'} of task ${task.id} failed: ${describeError(error)}`,
    };
  }
}
