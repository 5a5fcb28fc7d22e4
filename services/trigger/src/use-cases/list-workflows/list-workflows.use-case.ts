import { Inject, Injectable } from '@nestjs/common';
import { WORKFLOWS } from '@baton/service-kit';
import type { CatalogEntry, WorkflowCatalog } from '@baton/workflow';
import { TriggerErrorCode, TriggerError } from '../../domain/trigger-error.js';

/** One workflow version as `GET /v1/workflows` lists it. */
export interface WorkflowSummary {
  id: string;
  version: number;
  mode: 'live' | 'shadow';
  owner: string;
  description: string;
  digest: string;
  source: 'bundled' | 'published';
  /** When the registry got it; null for a bundled file not yet published. */
  publishedAt: string | null;
  publishedBy: string | null;
  /** The version new triggers start (the highest of its id). */
  latest: boolean;
}

export function summaryOf(entry: CatalogEntry, catalog: WorkflowCatalog): WorkflowSummary {
  const { workflow } = entry;
  return {
    id: workflow.id,
    version: workflow.version,
    mode: workflow.mode,
    owner: workflow.owner,
    description: workflow.description,
    digest: entry.digest,
    source: entry.source,
    publishedAt: entry.publishedAt ?? null,
    publishedBy: entry.publishedBy ?? null,
    latest: catalog.latest(workflow.id)?.version === workflow.version,
  };
}

/** Reads the workflow versions this instance knows (bundled and from the registry). */
@Injectable()
export class ListWorkflowsUseCase {
  constructor(@Inject(WORKFLOWS) private readonly workflows: WorkflowCatalog) {}

  list(): { items: WorkflowSummary[] } {
    return { items: this.workflows.entries().map((e) => summaryOf(e, this.workflows)) };
  }

  get(id: string, version: number): WorkflowSummary & { definition: Record<string, unknown> } {
    const entry = this.workflows.entry(id, version);
    if (!entry) {
      const known = this.workflows
        .entries()
        .filter((e) => e.workflow.id === id)
        .map((e) => e.workflow.version);
      throw new TriggerError(
        TriggerErrorCode.WorkflowNotFound,
        `no workflow ${id}@${version}${known.length ? ` (versions of ${id}: ${known.join(', ')})` : ''}`,
      );
    }
    return { ...summaryOf(entry, this.workflows), definition: entry.document };
  }
}
