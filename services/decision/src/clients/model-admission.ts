import { ConfigError } from '@baton/config';
import type { DecisionConfig } from '../config/decision.config.js';

/** A per-model limit: one value per model name, and one for every model not named. */
export interface PerModel {
  byModel: ReadonlyMap<string, number>;
  /** For models not named; 0: no limit. */
  otherwise: number;
}

const NO_LIMIT: PerModel = { byModel: new Map(), otherwise: 0 };

/**
 * Reads a per-model setting: comma-separated `model=limit` entries (`gpt-4.1-mini=8`), `*=limit`
 * for every model not named, or a bare number for every model. 0 is no limit. The model name is
 * what the workflow's `decision.model.name` says, as sent to the provider.
 */
export function parsePerModel(
  env: string,
  entries: readonly string[],
): { ok: true; value: PerModel } | { ok: false; problems: string[] } {
  const byModel = new Map<string, number>();
  let otherwise = 0;
  const problems: string[] = [];
  for (const entry of entries) {
    const at = entry.lastIndexOf('=');
    const model = at < 0 ? '*' : entry.slice(0, at).trim();
    const text = (at < 0 ? entry : entry.slice(at + 1)).trim();
    const limit = Number(text);
    if (!model || text === '' || !Number.isInteger(limit) || limit < 0) {
      problems.push(
        `${env}: "${entry}" is not model=limit (a whole number, 0 for no limit), *=limit or a bare limit`,
      );
      continue;
    }
    if (model === '*') otherwise = limit;
    else byModel.set(model, limit);
  }
  return problems.length ? { ok: false, problems } : { ok: true, value: { byModel, otherwise } };
}

export interface AdmissionLimits {
  /** Calls in flight at once, per model. */
  maxConcurrent: PerModel;
  /** Tokens (prompt and reply) per rolling minute, per model. */
  tokensPerMinute: PerModel;
}

/** A call let through: settle it once it returned, with the tokens it really used. */
export interface AdmissionPermit {
  settle(usedTokens: number): void;
}

/** What one model's gate holds, for tests and logs. */
export interface AdmissionStats {
  inFlight: number;
  waiting: number;
  /** Tokens counted in the last minute (reservations of calls still in flight included). */
  tokensInWindow: number;
  /** Most calls ever in flight at once. */
  peakInFlight: number;
}

export const WINDOW_MS = 60_000;

/** The model-admission settings, read and checked: a ConfigError names every bad entry. */
export function admissionLimitsOf(config: DecisionConfig): AdmissionLimits {
  const concurrent = parsePerModel('BATON_MODEL_MAX_CONCURRENT', config.modelMaxConcurrent);
  const tokens = parsePerModel('BATON_MODEL_TOKENS_PER_MINUTE', config.modelTokensPerMinute);
  const problems = [
    ...(concurrent.ok ? [] : concurrent.problems),
    ...(tokens.ok ? [] : tokens.problems),
  ];
  if (!concurrent.ok || !tokens.ok) throw new ConfigError('decision', problems);
  return { maxConcurrent: concurrent.value, tokensPerMinute: tokens.value };
}

/**
 * Admission to the model provider, per model: at most `maxConcurrent` calls in flight and at
 * most `tokensPerMinute` tokens in any rolling minute, counted at what a call could use (its
 * reservation) until it returns and then at what it used. A call that must wait waits here, in
 * order of arrival, holding nothing else: the decision step asks for admission in its prepare
 * phase, outside any transaction. A call larger than the whole minute's allowance goes once
 * nothing else is counted in the minute, rather than never.
 */
export class ModelAdmission {
  private readonly gates = new Map<string, Gate>();

  constructor(
    private readonly limits: AdmissionLimits = {
      maxConcurrent: NO_LIMIT,
      tokensPerMinute: NO_LIMIT,
    },
    private readonly clock: () => number = () => Date.now(),
  ) {}

  static unlimited(): ModelAdmission {
    return new ModelAdmission();
  }

  /**
   * Resolves once a call of `model` that may use `tokens` may start; rejects if `signal`
   * aborts first (shutdown), with nothing taken.
   */
  admit(model: string, tokens: number, signal?: AbortSignal): Promise<AdmissionPermit> {
    return this.gateOf(model).admit(tokens, signal);
  }

  stats(model: string): AdmissionStats {
    return this.gateOf(model).stats();
  }

  private gateOf(model: string): Gate {
    let gate = this.gates.get(model);
    if (!gate) {
      const limit = (per: PerModel) => per.byModel.get(model) ?? per.otherwise;
      gate = new Gate(
        limit(this.limits.maxConcurrent),
        limit(this.limits.tokensPerMinute),
        this.clock,
      );
      this.gates.set(model, gate);
    }
    return gate;
  }
}

interface Waiter {
  tokens: number;
  admit: (permit: AdmissionPermit) => void;
}

/** One model's limits and what they count. */
class Gate {
  private inFlight = 0;
  private peak = 0;
  /** Calls started in the last minute: when, and their tokens (reserved, then used). */
  private window: Array<{ at: number; tokens: number }> = [];
  private readonly waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly maxConcurrent: number,
    private readonly tokensPerMinute: number,
    private readonly clock: () => number,
  ) {}

  stats(): AdmissionStats {
    this.expire();
    return {
      inFlight: this.inFlight,
      waiting: this.waiters.length,
      tokensInWindow: this.counted(),
      peakInFlight: this.peak,
    };
  }

  admit(tokens: number, signal?: AbortSignal): Promise<AdmissionPermit> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortError());
      const waiter: Waiter = {
        tokens,
        admit: (permit) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(permit);
        },
      };
      const onAbort = () => {
        const index = this.waiters.indexOf(waiter);
        if (index < 0) return;
        this.waiters.splice(index, 1);
        reject(abortError());
        this.pump();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
      this.pump();
    });
  }

  /** Lets waiters through in order while the head fits; wakes again when the minute frees room. */
  private pump(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.expire();
    while (this.waiters.length > 0) {
      const head = this.waiters[0]!;
      if (this.maxConcurrent > 0 && this.inFlight >= this.maxConcurrent) return;
      if (!this.fits(head.tokens)) {
        // Only the minute holds it back: try again when its oldest call leaves the window.
        const oldest = this.window[0];
        if (oldest) {
          this.timer = setTimeout(
            () => this.pump(),
            Math.max(1, oldest.at + WINDOW_MS - this.clock()),
          );
          this.timer.unref();
        }
        return;
      }
      this.waiters.shift();
      head.admit(this.start(head.tokens));
    }
  }

  private fits(tokens: number): boolean {
    if (this.tokensPerMinute <= 0) return true;
    const counted = this.counted();
    // A call larger than the whole allowance goes alone in its minute rather than never.
    return counted + tokens <= this.tokensPerMinute || this.window.length === 0;
  }

  private start(tokens: number): AdmissionPermit {
    this.inFlight += 1;
    this.peak = Math.max(this.peak, this.inFlight);
    const entry = { at: this.clock(), tokens };
    if (this.tokensPerMinute > 0) this.window.push(entry);
    let settled = false;
    return {
      settle: (usedTokens: number) => {
        if (settled) return;
        settled = true;
        this.inFlight -= 1;
        entry.tokens = Math.max(0, usedTokens);
        this.pump();
      },
    };
  }

  private counted(): number {
    return this.window.reduce((sum, entry) => sum + entry.tokens, 0);
  }

  private expire(): void {
    const since = this.clock() - WINDOW_MS;
    while (this.window.length > 0 && this.window[0]!.at <= since) this.window.shift();
  }
}

function abortError(): Error {
  const error = new Error('stopped while waiting for admission to the model');
  error.name = 'AbortError';
  return error;
}
