import type { Evidence } from '@baton/contracts';
import type { ContextSourceSpec } from '@baton/workflow';
import type { Passage } from '@baton/business';

/** What running one source produced, before it is judged. */
export type SourceResult =
  /** The source answered; `found` is false for no row, an empty list or no passage. */
  | { ok: true; content: unknown; found: boolean; detail?: string }
  /**
   * The source was not run or could not answer: `reason` says why. `failed` when it could not
   * answer (an error, a timeout); not when it had nothing to look up (a missing parameter).
   */
  | { ok: false; reason: string; failed?: boolean };

export interface GatheredSource {
  evidence: Evidence;
  ms: number;
}

export type SourceStatus = 'ok' | 'weak' | 'missing' | 'failed';

/**
 * Judges one source's result as evidence. A required source that fails, times out or finds
 * nothing is weak, with a note saying why; an optional one is recorded the same way but not
 * weak. Knowledge passages scoring below `minScore` are flagged weak, and so is the evidence
 * when none reaches it. Never hidden: every source yields exactly one piece of evidence.
 */
export function toEvidence(source: ContextSourceSpec, result: SourceResult): Evidence {
  const base: Pick<Evidence, 'source' | 'kind'> = {
    source: source.name,
    kind: source.kind === 'knowledge' ? 'passage' : 'record',
  };
  const which = source.required ? 'required source' : 'optional source';
  if (!result.ok) {
    return {
      ...base,
      content: null,
      weak: source.required,
      note: `${which} ${result.reason}`,
      ...(result.failed ? { failed: true } : {}),
    };
  }
  if (!result.found) {
    return {
      ...base,
      content: result.content,
      weak: source.required,
      note: `${which} found nothing${result.detail ? `: ${result.detail}` : ''}`,
    };
  }
  if (source.kind === 'knowledge')
    return passageEvidence(source, base, result.content as Passage[]);
  return { ...base, content: result.content, weak: false };
}

function passageEvidence(
  source: ContextSourceSpec,
  base: Pick<Evidence, 'source' | 'kind'>,
  passages: Passage[],
): Evidence {
  const best = passages[0];
  const score = best?.score ?? 0;
  const strong = passages.some((passage) => !passage.weak);
  return {
    ...base,
    ...(best ? { ref: best.id } : {}),
    content: passages,
    score,
    weak: !strong,
    ...(strong
      ? {}
      : { note: `no passage scored at least ${source.minScore ?? 0} (best ${round(score)})` }),
  };
}

const round = (value: number) => Math.round(value * 10_000) / 10_000;

export function statusOf(evidence: Evidence): SourceStatus {
  if (evidence.failed) return 'failed';
  if (evidence.weak) return 'weak';
  return evidence.note ? 'missing' : 'ok';
}

/** The run-event summary: per source, how it went and how long it took. */
export function summarize(gathered: GatheredSource[]): Record<string, unknown> {
  return {
    sources: Object.fromEntries(
      gathered.map(({ evidence, ms }) => [
        evidence.source,
        { status: statusOf(evidence), ms, ...(evidence.note ? { note: evidence.note } : {}) },
      ]),
    ),
  };
}
