// The workflow registry: published workflow versions on a compacted topic keyed
// `<id>@<version>`. Every service instance follows it with a group of its own, so each
// instance sees every version, and adds what it reads to its workflow catalog.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  SIGNATURE_HEADER,
  WORKFLOW_RECORD_SCHEMA_VERSION,
  decodeWorkflowRecord,
  type RecordSigner,
  workflowRecordKey,
  type WorkflowRecord,
  type WorkflowSource,
} from '@baton/contracts';
import type {
  InboundRecord,
  MessageTransport,
  PartitionRange,
  Subscription,
} from '@baton/messaging';
import type { Logger } from '@baton/telemetry';
import {
  parseWorkflow,
  workflowDigest,
  type CatalogEntry,
  type CatalogFeed,
  type WorkflowCatalog,
} from '@baton/workflow';

export interface WorkflowRegistryOptions {
  transport: MessageTransport;
  /** The registry topic (`names.workflowDefinitions`). */
  topic: string;
  workflows: WorkflowCatalog;
  logger: Logger;
  /** Begins the per-instance group id: the service's consumer group (`baton.trigger`). */
  groupPrefix: string;
  /** At start, the catch-up must finish within this, or the start fails. */
  catchUpTimeoutMs: number;
  /** How long a lookup of an unknown version waits for the registry. */
  lookupWaitMs: number;
  /** Checks that each record was published by this deployment's services (BATON_SIGNING_KEY). */
  signer?: RecordSigner;
}

/** Registry record processing outcomes worth a log line, and why a record was skipped. */
type Skip = { skipped: string; problems?: string[] };

/**
 * Follows the registry topic into a catalog. A record that is not a valid registry record
 * or holds an invalid definition is logged and skipped: a bad record never stops a service.
 */
export class WorkflowRegistryFollower implements CatalogFeed {
  readonly lookupWaitMs: number;
  readonly groupId: string;
  /** Highest offset handled, per partition. */
  private readonly handled = new Map<number, bigint>();
  private readonly listeners = new Set<() => void>();
  private subscription: Subscription | undefined;
  private readonly logger: Logger;

  private constructor(private readonly options: WorkflowRegistryOptions) {
    this.lookupWaitMs = options.lookupWaitMs;
    this.groupId = `${options.groupPrefix}.registry.${hostname()}.${process.pid}.${randomUUID().slice(0, 8)}`;
    this.logger = options.logger.child({ component: 'workflow-registry' });
  }

  /** Subscribes, connects the catalog, and resolves once it has read the whole topic. */
  static async follow(options: WorkflowRegistryOptions): Promise<WorkflowRegistryFollower> {
    const follower = new WorkflowRegistryFollower(options);
    follower.subscription = await options.transport.subscribe({
      groupId: follower.groupId,
      topics: [options.topic],
      concurrency: 1,
      fromBeginning: true,
      ephemeral: true,
      handler: async (record) => follower.handle(record),
    });
    options.workflows.followedBy(follower);
    try {
      await follower.catchUp();
    } catch (error) {
      await follower.stop();
      throw error;
    }
    follower.logger.info(
      { topic: options.topic, workflows: options.workflows.all().length },
      'workflow registry read',
    );
    return follower;
  }

  /**
   * Resolves once every record on the topic when it was called has been handled; rejects
   * after `timeoutMs`, naming the partitions still behind.
   */
  async catchUp(timeoutMs = this.options.catchUpTimeoutMs): Promise<void> {
    const ends = await this.options.transport.endOffsets(this.options.topic);
    const behind = () =>
      ends.filter(
        (p) =>
          BigInt(p.end) > BigInt(p.start) &&
          (this.handled.get(p.partition) ?? -1n) < BigInt(p.end) - 1n,
      );
    if (behind().length === 0) return;
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (behind().length > 0) return;
        finish();
        resolve();
      };
      const timer = setTimeout(() => {
        finish();
        reject(
          new Error(
            `workflow registry: not caught up with ${this.options.topic} after ${timeoutMs} ms (${describeBehind(behind(), this.handled)}); BATON_REGISTRY_CATCH_UP_TIMEOUT_MS sets the wait`,
          ),
        );
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
    });
  }

  /** Stops reading; the transport deletes the per-instance group. */
  async stop(): Promise<void> {
    await this.subscription?.stop(1_000);
    this.subscription = undefined;
  }

  private handle(record: InboundRecord): void {
    try {
      const skip = this.apply(record);
      if (skip) {
        this.logger.warn(
          {
            key: record.key,
            partition: record.partition,
            offset: record.offset,
            problems: skip.problems,
          },
          `workflow registry record skipped: ${skip.skipped}`,
        );
      }
    } catch (error) {
      this.logger.error(
        { err: error, key: record.key, offset: record.offset },
        'workflow registry record skipped: it could not be read',
      );
    } finally {
      const offset = BigInt(record.offset);
      if (offset > (this.handled.get(record.partition) ?? -1n))
        this.handled.set(record.partition, offset);
      for (const listener of [...this.listeners]) listener();
    }
  }

  private apply(record: InboundRecord): Skip | undefined {
    const { signer } = this.options;
    if (signer && !signer.verify(record, record.headers[SIGNATURE_HEADER]))
      return { skipped: `not signed by this deployment's services (${SIGNATURE_HEADER})` };
    const decoded = decodeWorkflowRecord(record.value);
    if (!decoded.ok) return { skipped: 'not a valid registry record', problems: decoded.errors };
    const entry = decoded.value;
    const key = workflowRecordKey(entry.id, entry.version);
    if (record.key !== key) return { skipped: `its key is ${record.key}, its content ${key}` };
    const loaded = parseWorkflow(JSON.stringify(entry.definition), { format: 'json' });
    if (!loaded.ok) return { skipped: `${key} is not a valid definition`, problems: loaded.errors };
    const { workflow, document } = loaded;
    if (workflow.id !== entry.id || workflow.version !== entry.version) {
      return {
        skipped: `the record says ${key} but its definition is ${workflow.id}@${workflow.version}`,
      };
    }
    const digest = workflowDigest(document);
    if (digest !== entry.digest) {
      return {
        skipped: `${key}: the digest ${entry.digest} does not match its definition (${digest})`,
      };
    }
    const added = this.options.workflows.add({
      workflow,
      document,
      digest,
      source: entry.source,
      publishedAt: entry.publishedAt,
      publishedBy: entry.publishedBy,
      ...promotionOf(entry),
    });
    switch (added.outcome) {
      case 'added':
        this.logger.info({ workflow: key, digest, source: entry.source }, 'workflow version added');
        return undefined;
      case 'unchanged':
        return undefined;
      case 'promoted':
        this.logger.info(
          { workflow: key, digest, by: entry.promotedBy },
          'workflow candidate version promoted',
        );
        return undefined;
      case 'replaced':
        this.logger.warn(
          { workflow: key, registryDigest: digest, bundledDigest: added.previous.digest },
          `workflow ${key}: the registry holds other content than the bundled file; the registry's version is used (registry ${digest}, bundled ${added.previous.digest})`,
        );
        return undefined;
      case 'conflict':
        return {
          skipped: `${key} is already published with digest ${added.existing.digest}; a published version never changes (this record has ${digest})`,
        };
    }
  }
}

function describeBehind(behind: PartitionRange[], handled: Map<number, bigint>): string {
  return behind
    .map((p) => `partition ${p.partition} at ${handled.get(p.partition) ?? 'none'} of ${p.end}`)
    .join(', ');
}

/** A record's candidate and promotion fields, those it has (older records have none). */
export function promotionOf(
  record: Pick<WorkflowRecord, 'candidate' | 'promotedAt' | 'promotedBy' | 'overrideReason'>,
): Pick<CatalogEntry, 'candidate' | 'promotedAt' | 'promotedBy' | 'overrideReason'> {
  return {
    ...(record.candidate ? { candidate: true } : {}),
    ...(record.promotedAt !== undefined ? { promotedAt: record.promotedAt } : {}),
    ...(record.promotedBy !== undefined ? { promotedBy: record.promotedBy } : {}),
    ...(record.overrideReason !== undefined ? { overrideReason: record.overrideReason } : {}),
  };
}

/** The registry record of a catalog entry: what `publishWorkflowRecord` writes. */
export function workflowRecordOf(
  entry: Pick<CatalogEntry, 'workflow' | 'document' | 'digest'>,
  meta: {
    publishedAt: Date;
    publishedBy: string;
    source: WorkflowSource;
    candidate?: boolean;
    promotion?: { at: Date; by: string; overrideReason?: string };
  },
): WorkflowRecord {
  const { promotion } = meta;
  return {
    schemaVersion: WORKFLOW_RECORD_SCHEMA_VERSION,
    id: entry.workflow.id,
    version: entry.workflow.version,
    publishedAt: meta.publishedAt.toISOString(),
    publishedBy: meta.publishedBy,
    source: meta.source,
    digest: entry.digest,
    definition: entry.document,
    ...(meta.candidate ? { candidate: true } : {}),
    ...(promotion
      ? {
          candidate: false,
          promotedAt: promotion.at.toISOString(),
          promotedBy: promotion.by,
          ...(promotion.overrideReason !== undefined
            ? { overrideReason: promotion.overrideReason }
            : {}),
        }
      : {}),
  };
}

/** Writes records to the registry topic; resolves once the broker acknowledged them. */
export async function publishWorkflowRecords(
  transport: MessageTransport,
  topic: string,
  records: WorkflowRecord[],
  signer: RecordSigner | undefined,
): Promise<void> {
  await transport.publish(
    records.map((record) => {
      const signable = {
        topic,
        key: workflowRecordKey(record.id, record.version),
        value: JSON.stringify(record),
      };
      return {
        ...signable,
        headers: {
          'content-type': 'application/json',
          ...(signer ? { [SIGNATURE_HEADER]: signer.sign(signable) } : {}),
        },
      };
    }),
  );
}
