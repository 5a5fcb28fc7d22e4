import { ApiError, api } from '../api.js';
import type { RunDetail } from '../runs.js';

export const ENDED = new Set(['completed', 'rejected', 'failed', 'cancelled']);
/** How often a moving run is asked for its status. */
const POLL_MS = 1000;

/**
 * Follows the run until it ends, handing each answer to `show`; returns what stops following
 * (leaving the page). A role that may not read runs gets nothing shown.
 */
export function watchRun(runId: string, show: (run: RunDetail | 'unknown') => void): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const poll = () => {
    api<RunDetail>('GET', `trigger/v1/runs/${encodeURIComponent(runId)}`).then(
      (run) => {
        if (stopped) return;
        show(run);
        if (!ENDED.has(run.status)) timer = setTimeout(poll, POLL_MS);
      },
      (error: unknown) => {
        if (stopped || (error instanceof ApiError && error.status === 403)) return;
        show('unknown');
        timer = setTimeout(poll, POLL_MS * 5);
      },
    );
  };
  poll();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
