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
}

/** `POST /v1/workflows`: 201 with `created: true`, 200 with `created: false`. */
export interface PublishedWorkflow extends WorkflowSummary {
  created?: boolean;
}
