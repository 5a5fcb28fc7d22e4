// The backtest answers of the trigger API (docs/http-api.md#backtests), as far as the CLI reads them.

export interface StartedBacktest {
  backtestId: string;
  workflow: { id: string; version: number };
  against: number;
  window: { since: string; until: string };
  runs: number;
}

export interface BacktestRunFigures {
  course: string;
  escalated: boolean;
  proposal: { tool: string; args: Record<string, unknown> } | null;
  writes: number;
  refusedWrites: number;
  tokens: number;
  costUsd: number;
}

export interface BacktestSide {
  runs: number;
  completed: number;
  asksAPerson: number;
  failed: number;
  escalationRate: number | null;
  writes: number;
  refusedWrites: number;
  tokens: number;
  costUsd: number;
}

export interface BacktestReport {
  backtestId: string;
  workflow: { id: string; version: number };
  against: number;
  window: { since: string; until: string };
  requestedBy: string;
  status: 'running' | 'finished';
  reads: string;
  totals: {
    runs: number;
    done: number;
    sameOutcome: number;
    differentOutcome: number;
    notStarted: number;
    newRefusedWrites: number;
    corrections: {
      corrected: number;
      edited: number;
      rejected: number;
      agreed: number;
      agreementRate: number | null;
    };
    original: BacktestSide;
    candidate: BacktestSide;
  };
  items: Array<{
    sourceRunId: string;
    runId: string | null;
    tenantId: string;
    notStarted: string | null;
    review: string | null;
    original: BacktestRunFigures;
    candidate: BacktestRunFigures;
    sameOutcome: boolean | null;
    agreesWithReviewer: boolean | null;
  }>;
}
