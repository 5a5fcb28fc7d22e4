import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { Routes, type MessagingRuntime } from '@baton/messaging';
import {
  LOGGER,
  MESSAGING_RUNTIME,
  OutboundConfig,
  SecretStore,
  WORKFLOWS,
  deploymentProblems,
  publishWorkflowRecords,
  workflowRecordOf,
} from '@baton/service-kit';
import type { Logger } from '@baton/telemetry';
import { describeProblem, type WorkflowCatalog } from '@baton/workflow';

/**
 * At start, publishes the bundled definitions (the workflows folder) the registry does not
 * hold yet, so the registry, and `GET /v1/workflows`, list every version services run. A
 * bundled definition is the deployment's own file: one asking for a host or a secret the
 * deployment lacks is published all the same, with a warning naming what is missing (its
 * requests are refused at call time), rather than stopping every other workflow.
 */
@Injectable()
export class PublishBundledWorkflows implements OnApplicationBootstrap {
  constructor(
    @Inject(WORKFLOWS) private readonly workflows: WorkflowCatalog,
    @Inject(MESSAGING_RUNTIME) private readonly runtime: MessagingRuntime,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly routes: Routes,
    private readonly outbound: OutboundConfig,
    private readonly secrets: SecretStore,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const now = new Date();
    const unpublished = this.workflows.entries().filter((e) => e.publishedAt === undefined);
    if (unpublished.length === 0) return;
    for (const { workflow } of unpublished) {
      const missing = deploymentProblems(workflow, {
        allowedHosts: this.outbound.allowedHosts,
        endpoints: this.outbound.endpoints,
        secrets: this.secrets,
      });
      if (missing.length)
        this.logger.warn(
          {
            workflow: `${workflow.id}@${workflow.version}`,
            problems: missing.map(describeProblem),
          },
          'bundled workflow asks for what this deployment does not have: its calls will be refused',
        );
    }
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
