import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { Routes, type MessagingRuntime } from '@baton/messaging';
import {
  LOGGER,
  MESSAGING_RUNTIME,
  WORKFLOWS,
  publishWorkflowRecords,
  workflowRecordOf,
} from '@baton/service-kit';
import type { Logger } from '@baton/telemetry';
import type { WorkflowCatalog } from '@baton/workflow';

/**
 * At start, publishes the bundled definitions (the workflows folder) the registry does not
 * hold yet, so the registry, and `GET /v1/workflows`, list every version services run.
 */
@Injectable()
export class PublishBundledWorkflows implements OnApplicationBootstrap {
  constructor(
    @Inject(WORKFLOWS) private readonly workflows: WorkflowCatalog,
    @Inject(MESSAGING_RUNTIME) private readonly runtime: MessagingRuntime,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly routes: Routes,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const now = new Date();
    const unpublished = this.workflows.entries().filter((e) => e.publishedAt === undefined);
    if (unpublished.length === 0) return;
    const records = unpublished.map((entry) =>
      workflowRecordOf(entry, {
        publishedAt: now,
        publishedBy: 'bundled:trigger',
        source: 'bundled',
      }),
    );
    await publishWorkflowRecords(
      this.runtime.transport,
      this.routes.names.workflowDefinitions,
      records,
      this.runtime.signer,
    );
    for (const [i, entry] of unpublished.entries()) {
      const record = records[i]!;
      this.workflows.add({
        ...entry,
        publishedAt: record.publishedAt,
        publishedBy: record.publishedBy,
      });
    }
    this.logger.info(
      { workflows: records.map((r) => `${r.id}@${r.version}`) },
      'bundled workflow versions published to the registry',
    );
  }
}
