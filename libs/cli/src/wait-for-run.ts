import type { ApiClient } from './api-client.js';
import { isTerminal, type Run } from './api-types.js';
import { ExitCode } from './exit-codes.js';
import type { Io } from './output.js';
import { startProgress } from './progress.js';
import { formatDuration } from './format/values.js';

export interface WaitOptions {
  /** Give up after this long; the run goes on. */
  timeoutMs: number;
  /** Between polls. */
  intervalMs?: number;
}

export interface Waited {
  run: Run;
  /** The run had not ended (nor started waiting for review) in time. */
  timedOut: boolean;
}

/**
 * Polls `GET /v1/runs/:id` until the run ends or waits for a reviewer (which can take hours:
 * the reviewer decides with `baton approve` / `baton reject`), showing a spinner on stderr
 * when it is a terminal.
 */
export async function waitForRun(
  client: ApiClient,
  runId: string,
  io: Io,
  { timeoutMs, intervalMs = 500 }: WaitOptions,
): Promise<Waited> {
  const sleep = io.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = io.now ?? Date.now;
  const started = now();
  const progress = startProgress(io.stderr, `run ${runId}: waiting`);
  try {
    for (;;) {
      const { body: run } = await client.getRun(runId);
      if (settled(run)) return { run, timedOut: false };
      const elapsed = now() - started;
      if (elapsed >= timeoutMs) return { run, timedOut: true };
      const last = run.steps.at(-1);
      progress.update(
        `run ${runId}: ${run.status} · ${run.steps.length} step${run.steps.length === 1 ? '' : 's'}` +
          `${last ? ` · last ${last.name} ${last.outcome}` : ''} · ${formatDuration(elapsed)}`,
      );
      await sleep(intervalMs);
    }
  } finally {
    progress.stop();
  }
}

/** Ended, or waiting for a person: nothing more happens by itself. */
export function settled(run: Run): boolean {
  return isTerminal(run.status) || run.status === 'waiting-for-review';
}

/** `--wait`'s exit code: 0 completed or waiting for review, 1 failed, rejected, cancelled or still running. */
export function exitCodeOfRun(run: Run, timedOut: boolean): ExitCode {
  if (timedOut) return ExitCode.Failed;
  return run.status === 'completed' || run.status === 'waiting-for-review'
    ? ExitCode.Ok
    : ExitCode.Failed;
}
