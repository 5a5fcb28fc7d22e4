/** The longest reason a run event or an escalation payload carries (characters). */
export const REASON_MAX = 2000;

/**
 * A reason as the contracts carry it: trimmed, `fallback` when nothing is left, and cut to
 * REASON_MAX with an ellipsis, so a long model rationale or tool error never fails a decode.
 */
export function clipReason(reason: string, fallback = 'no reason given'): string {
  const trimmed = reason.trim() || fallback;
  return trimmed.length > REASON_MAX ? `${trimmed.slice(0, REASON_MAX - 1)}…` : trimmed;
}
