import { Inject, Injectable } from '@nestjs/common';
import { workflowRecordKey } from '@baton/contracts';
import { Routes, type MessagingRuntime } from '@baton/messaging';
import {
  LOGGER,
  MESSAGING_RUNTIME,
  OutboundConfig,
  SecretStore,
  WORKFLOWS,
  deploymentProblems,
  promotionOf,
  publishWorkflowRecords,
  workflowRecordOf,
  type Principal,
} from '@baton/service-kit';
import { McpServers, undeclaredMcpServers } from '@baton/mcp';
import type { Logger } from '@baton/telemetry';
import {
  describeProblem,
  parseWorkflow,
  workflowDigest,
  type WorkflowCatalog,
} from '@baton/workflow';
import { TriggerErrorCode, TriggerError } from '../../domain/trigger-error.js';
import { WorkflowPublishLock } from '../../store/workflow-publish-lock.js';
import { summaryOf, type WorkflowSummary } from '../list-workflows/list-workflows.use-case.js';

export interface Published {
  /** False when this exact definition was already published (nothing was written). */
  created: boolean;
  workflow: WorkflowSummary;
}

/**
 * Publishes a workflow version to the registry topic, once: the same definition again is a
 * no-op, another definition under a published id and version is refused (versions are
 * immutable), and so is one this deployment cannot run: an http host outside
 * BATON_OUTBOUND_ALLOWED_HOSTS, a secret it does not have, an MCP server it does not declare. The catalog learns it only after
 * the broker acknowledged the record. A candidate (`candidate: true`) is published but not
 * live until promoted (PromoteWorkflowUseCase); a definition that declares a publish gate is
 * published live only while its workflow has no live version, else only as a candidate.
 */
@Injectable()
export class PublishWorkflowUseCase {
  constructor(
    @Inject(WORKFLOWS) private readonly workflows: WorkflowCatalog,
    @Inject(MESSAGING_RUNTIME) private readonly runtime: MessagingRuntime,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly routes: Routes,
    private readonly publishLock: WorkflowPublishLock,
    private readonly outbound: OutboundConfig,
    private readonly secrets: SecretStore,
    private readonly mcp: McpServers,
  ) {}

  async execute(
    text: string,
    format: 'yaml' | 'json',
    principal: Principal,
    now: Date = new Date(),
    options: { candidate?: boolean } = {},
  ): Promise<Published> {
    const candidate = options.candidate === true;
    const loaded = parseWorkflow(text, { format });
    if (!loaded.ok) {
      const count = loaded.problems.length;
      throw new TriggerError(
        TriggerErrorCode.InvalidDefinition,
        `the definition has ${count} problem${count === 1 ? '' : 's'}`,
        loaded.errors,
      );
    }
    const { workflow, document } = loaded;
    // Valid, but asking what this deployment cannot give (a host, a secret, an MCP server):
    // refused now, not at its first run.
    const missing = [
      ...deploymentProblems(workflow, {
        allowedHosts: this.outbound.allowedHosts,
        endpoints: this.outbound.endpoints,
        secrets: this.secrets,
      }),
      ...undeclaredMcpServers(workflow, this.mcp),
    ];
    if (missing.length) {
      const count = missing.length;
      throw new TriggerError(
        TriggerErrorCode.InvalidDefinition,
        `the definition has ${count} problem${count === 1 ? '' : 's'} in this deployment`,
        missing.map(describeProblem),
      );
    }
    const key = workflowRecordKey(workflow.id, workflow.version);
    const digest = workflowDigest(document);
    // Check-then-publish holds the version's lock: another trigger instance publishing the
    // same version waits, then finds it published.
    return this.publishLock.holding(key, async () => {
      await this.workflows.catchUp();
      const existing = this.workflows.entry(workflow.id, workflow.version);
      if (existing && existing.digest !== digest) {
        const next = (this.workflows.highest(workflow.id)?.version ?? workflow.version) + 1;
        throw new TriggerError(
          TriggerErrorCode.VersionPublished,
          `${key} is already published with other content (digest ${existing.digest}; this definition has ${digest}): a published version never changes, publish this one as version ${next}`,
        );
      }
      if (existing?.publishedAt)
        return { created: false, workflow: summaryOf(existing, this.workflows) };
      const live = this.workflows.latest(workflow.id);
      // Its own gate, or the live version's when it declares none: leaving the gate out of a
      // new version does not take it live past the gate.
      const gate = live ? (workflow.publish ?? live.publish) : undefined;
      if (!candidate && gate && live) {
        const at = `/v1/workflows/${workflow.id}/versions/${workflow.version}`;
        throw new TriggerError(
          TriggerErrorCode.PublishGateRequired,
          `${key} is held to a publish gate (requires ${gate.requires.join(', ')}) and ${workflow.id}@${live.version} is live: publish it as a candidate (?candidate=true, baton publish --candidate), backtest it (and record its cases), then promote it (POST ${at}/promote, baton promote ${workflow.id} ${workflow.version})`,
        );
      }

      const record = workflowRecordOf(
        { workflow, document, digest },
        { publishedAt: now, publishedBy: principal.name, source: 'published', candidate },
      );
      await publishWorkflowRecords(
        this.runtime.transport,
        this.routes.names.workflowDefinitions,
        [record],
        this.runtime.signer,
      );
      const added = this.workflows.add({
        workflow,
        document,
        digest,
        source: record.source,
        publishedAt: record.publishedAt,
        publishedBy: record.publishedBy,
        ...promotionOf(record),
      });
      const entry = added.outcome === 'conflict' ? added.existing : added.entry;
      this.logger.info(
        { workflow: key, digest, by: principal.name, candidate },
        candidate ? 'workflow candidate version published' : 'workflow version published',
      );
      return { created: true, workflow: summaryOf(entry, this.workflows) };
    });
  }
}
