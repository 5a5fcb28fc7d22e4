import { Inject, Injectable } from '@nestjs/common';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsString,
  Matches,
  Min,
  ValidateNested,
} from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import {
  Nullable,
  WORKFLOW_ID_PATTERN,
  WORKFLOW_SOURCES,
  type WorkflowSource,
} from '@baton/contracts';
import { WORKFLOWS } from '@baton/service-kit';
import type { CatalogEntry, WorkflowCatalog } from '@baton/workflow';
import { TriggerErrorCode, TriggerError } from '../../domain/trigger-error.js';

/** One workflow version as `GET /v1/workflows` lists it. */
export class WorkflowSummary {
  @Matches(WORKFLOW_ID_PATTERN) id!: string;
  @IsInt() @Min(1) version!: number;
  @IsIn(['live', 'shadow']) mode!: 'live' | 'shadow';
  @IsString() owner!: string;
  @IsString() description!: string;
  @JSONSchema({ description: 'SHA-256 (hex) of the canonical JSON of the definition.' })
  @Matches(/^[0-9a-f]{64}$/)
  digest!: string;
  @IsIn(WORKFLOW_SOURCES) source!: WorkflowSource;
  @Nullable('When the registry got it; null for a bundled file not yet published.')
  @IsISO8601()
  publishedAt!: string | null;
  @Nullable('The API key name that published it, or `bundled:<service>`.')
  @IsString()
  publishedBy!: string | null;
  @JSONSchema({
    description: 'The version new triggers start (the highest of its id that is not a candidate).',
  })
  @IsBoolean()
  latest!: boolean;
  @JSONSchema({
    description:
      'Published as a candidate and not promoted: new triggers do not start it (docs/changing-workflows.md#candidate-versions).',
  })
  @IsBoolean()
  candidate!: boolean;
  @Nullable('When the candidate was promoted (made live); null for a version published live.')
  @IsISO8601()
  promotedAt!: string | null;
  @Nullable('The API key name that promoted it.')
  @IsString()
  promotedBy!: string | null;
  @Nullable(
    'Why the promoting admin overrode a publish gate that was not met; null when none was overridden.',
  )
  @IsString()
  overrideReason!: string | null;
}

/** `GET /v1/workflows`: every version, by id then version. */
export class WorkflowList {
  @IsArray() @ValidateNested({ each: true }) @Type(() => WorkflowSummary) items!: WorkflowSummary[];
}

/** `GET /v1/workflows/{id}/versions/{version}`: the version with its definition. */
export class WorkflowVersion extends WorkflowSummary {
  @JSONSchema({
    description:
      'The workflow definition as JSON; its schema is workflow-definition.v1.schema.json.',
  })
  @IsObject()
  definition!: Record<string, unknown>;
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
    candidate: entry.candidate === true,
    promotedAt: entry.promotedAt ?? null,
    promotedBy: entry.promotedBy ?? null,
    overrideReason: entry.overrideReason ?? null,
  };
}

/** Reads the workflow versions this instance knows (bundled and from the registry). */
@Injectable()
export class ListWorkflowsUseCase {
  constructor(@Inject(WORKFLOWS) private readonly workflows: WorkflowCatalog) {}

  list(): WorkflowList {
    return { items: this.workflows.entries().map((e) => summaryOf(e, this.workflows)) };
  }

  get(id: string, version: number): WorkflowVersion {
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
