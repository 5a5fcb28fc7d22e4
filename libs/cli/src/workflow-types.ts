// The shapes of the trigger service's workflow registry API (docs/http-api.md), as far as the
// CLI reads them.

export interface WorkflowSummary {
  id: string;
  version: number;
  mode?: string;
  owner?: string;
  description?: string;
  digest?: string;
  source?: string;
  publishedAt?: string | null;
  publishedBy?: string | null;
  latest?: boolean;
  candidate?: boolean;
  promotedAt?: string | null;
  promotedBy?: string | null;
  overrideReason?: string | null;
}

/** `POST /v1/workflows`: 201 with `created: true`, 200 with `created: false`. */
export interface PublishedWorkflow extends WorkflowSummary {
  created?: boolean;
}

/** One threshold of a publish gate requirement. */
export interface GateMeasure {
  name: string;
  measured: number | null;
  threshold: number;
  bound: 'at-least' | 'at-most';
  met: boolean;
}

/** A candidate's publish gate, checked. */
export interface PublishGateReport {
  met: boolean;
  against: number | null;
  requirements: Array<{
    requirement: string;
    met: boolean;
    summary: string;
    backtestId: string | null;
    caseResultId: string | null;
    measures: GateMeasure[];
  }>;
}

/** `POST /v1/workflows/{id}/versions/{version}/promote`. */
export interface PromotedWorkflow extends WorkflowSummary {
  promoted?: boolean;
  gate?: PublishGateReport | null;
}

/** `POST /v1/workflows/{id}/versions/{version}/case-results`. */
export interface RecordedCaseResults {
  id: string;
  passed: number;
  failed: number;
}
