import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Type } from 'class-transformer';
import { Equals, IsBoolean, IsIn, IsOptional, IsString, ValidateNested } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import {
  RUN_STATUSES,
  WorkflowRef,
  firstStep,
  runEventFor,
  triggerEventDigest,
  uuidv7,
  type TriggerEvent,
} from '@baton/contracts';
import { Routes, type OutboxTransaction } from '@baton/messaging';
import { LOGGER, WORKFLOWS } from '@baton/service-kit';
import { activeTraceIds, type Logger } from '@baton/telemetry';
import { isValidTraceId } from '@opentelemetry/api';
import {
  describeFailure,
  evaluate,
  windowMs,
  firstFailing,
  getPath,
  type WorkflowCatalog,
  type WorkflowDefinition,
} from '@baton/workflow';
import { TriggerErrorCode, TriggerError } from '../../domain/trigger-error.js';
import { RunLedger } from '../../store/run-ledger.repository.js';

/** The run an event started, or the earlier run it went to. */
export class StartedRun {
  @IsString() runId!: string;
  @ValidateNested() @Type(() => WorkflowRef) workflow!: WorkflowRef;
  @IsIn(RUN_STATUSES) status!: string;
  @JSONSchema({
    description: 'True when the idempotency key was seen before: nothing was started.',
  })
  @IsBoolean()
  duplicate!: boolean;
  @JSONSchema({
    description:
      'True when an earlier run about the same business entity took the event (trigger.dedup).',
  })
  @IsOptional()
  @IsBoolean()
  joined?: boolean;
}

/**
 * The event is for the workflow but does not match its `trigger.filters`: nothing started.
 * Not the sender's error (it may publish every ticket and let each workflow pick its own), so
 * not a refusal. Nothing is recorded either: the idempotency key stays free, a resend of the
 * same event is ignored again, and a later event with that key that matches starts a run.
 */
export class IgnoredEvent {
  @Equals('ignored') status!: 'ignored';
  @ValidateNested() @Type(() => WorkflowRef) workflow!: WorkflowRef;
  @JSONSchema({ description: 'Which filter did not hold, and what the event had there.' })
  @IsString()
  reason!: string;
}

export type StartRunResult = StartedRun | IgnoredEvent;

export const isIgnored = (result: StartRunResult): result is IgnoredEvent =>
  result.status === 'ignored' && !('runId' in result);

/** A run as found by its (tenant, idempotency key), with the digest of the event that started it. */
interface KeyedRun extends Omit<StartedRun, 'duplicate'> {
  /** Null for runs recorded before digests were: they match any resend of their key. */
  digest: string | null;
}

/**
 * Turns an accepted trigger event into a run: de-duplicates by (tenant, idempotency key) —
 * the same event again gets its run, another event with the key is refused — matches the
 * workflow version, applies its `trigger.filters`, records the run, and emits `run.started`
 * and the first step.
 */
@Injectable()
export class StartRunUseCase {
  constructor(
    @Inject(WORKFLOWS) private readonly workflows: WorkflowCatalog,
    private readonly routes: Routes,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly ledger: RunLedger,
  ) {}

  async execute(
    event: TriggerEvent,
    tx: OutboxTransaction,
    receivedAt: Date = new Date(),
  ): Promise<StartRunResult> {
    // A key already used for this very event is a resend: it gets its run, whatever the
    // filters say of it now. Used for another event, it is refused: answering with the run of
    // a different event would silently drop this one.
    const digest = triggerEventDigest(event);
    const existing = await this.find(tx, event);
    if (existing) return this.resent(existing, event, digest);

    const workflow = this.match(event);
    // The trigger as the run's steps see it: filters read the same `trigger.…` paths.
    const trigger = {
      eventType: event.eventType,
      idempotencyKey: event.idempotencyKey,
      ...(event.source ? { source: event.source } : {}),
      data: event.data,
      receivedAt: receivedAt.toISOString(),
    };
    const ignored = this.filteredOut(trigger, workflow);
    if (ignored) {
      this.logger.info(
        {
          workflowId: workflow.id,
          workflowVersion: workflow.version,
          tenantId: event.tenantId,
          idempotencyKey: event.idempotencyKey,
          eventType: event.eventType,
          reason: ignored.reason,
        },
        'trigger event ignored: the workflow filters did not hold',
      );
      return ignored;
    }
    this.refuseMissingData(event, workflow);
    const dedupKey = this.dedupKeyOf(trigger, workflow);
    if (dedupKey !== undefined) {
      const same = await this.sameEvent(tx, event, workflow, dedupKey, receivedAt);
      if (same) return same;
    }
    const runId = uuidv7(receivedAt.getTime());
    const inserted = await this.ledger.insert(tx.manager, {
      id: runId,
      tenantId: event.tenantId,
      idempotencyKey: event.idempotencyKey,
      workflow: { id: workflow.id, version: workflow.version },
      eventType: event.eventType,
      source: event.source ?? null,
      trigger: event,
      digest,
      dedupKey: dedupKey ?? null,
      // The trace this request or record is in: the run's steps continue it (their envelopes
      // carry its traceparent), so it is the run's trace.
      traceId: runTraceId(),
    });
    if (!inserted) {
      // A concurrent request with the same key won the insert; answer as to a resend.
      return this.resent((await this.find(tx, event))!, event, digest);
    }

    const envelope = firstStep(
      {
        runId,
        workflow: { id: workflow.id, version: workflow.version },
        tenantId: event.tenantId,
        causationId: `trigger:${event.tenantId}:${event.idempotencyKey}`,
        deadline: new Date(receivedAt.getTime() + workflow.limits.deadlineMinutes * 60_000),
        budget: {
          stepsLeft: workflow.limits.maxSteps,
          tokensLeft: workflow.limits.maxTokens,
          costLeftUsd: workflow.limits.maxCostUsd,
        },
      },
      { name: 'gather-context', kind: 'context' },
      { kind: 'context', trigger },
      receivedAt,
    );
    tx.emit(
      this.routes.get('run.events'),
      runEventFor(envelope, { type: 'run.started' }, receivedAt),
    );
    tx.emit(this.routes.step('context'), envelope);
    return {
      runId,
      workflow: { id: workflow.id, version: workflow.version },
      status: 'running',
      duplicate: false,
    };
  }

  /**
   * The event's business key (`trigger.dedup.key`) as stored: the SHA-256 of its text, so a key
   * of any length fits the index (a document's text, a long question). Undefined when none.
   */
  private dedupKeyOf(trigger: object, workflow: WorkflowDefinition): string | undefined {
    const dedup = workflow.trigger.dedup;
    if (!dedup) return undefined;
    const key = evaluate(dedup.key, { trigger });
    if (!key.ok || (typeof key.value !== 'string' && typeof key.value !== 'number'))
      return undefined;
    if (key.value === '') return undefined;
    return createHash('sha256').update(String(key.value)).digest('hex');
  }

  /**
   * An earlier run of this workflow and tenant about the same business entity, started within
   * the dedup window and not failed or cancelled (those did nothing for the event: a new run
   * starts): the event joins it, or is refused (409, a dead letter on Kafka). The key is locked
   * for this transaction first, so of two such events arriving at once one starts the run and
   * the other finds it.
   */
  private async sameEvent(
    tx: OutboxTransaction,
    event: TriggerEvent,
    workflow: WorkflowDefinition,
    key: string,
    receivedAt: Date,
  ): Promise<StartedRun | undefined> {
    const dedup = workflow.trigger.dedup!;
    const entity = { tenantId: event.tenantId, workflowId: workflow.id, dedupKey: key };
    await this.ledger.lockDedupKey(tx.manager, entity);
    const earlier = await this.ledger.findByDedupKey(
      tx.manager,
      entity,
      new Date(receivedAt.getTime() - windowMs(dedup.window)),
    );
    if (!earlier) return undefined;
    if (dedup.duplicates === 'refuse') {
      const message = `the event is about the same business entity (trigger.dedup.key) as run ${earlier.id}, started within ${dedup.window}; ${workflow.id} refuses the same business event twice`;
      throw new TriggerError(TriggerErrorCode.DuplicateEvent, message, [`data: ${message}`]);
    }
    this.logger.info(
      { workflowId: workflow.id, tenantId: event.tenantId, runId: earlier.id },
      'trigger event joined an earlier run with the same business key',
    );
    return {
      runId: earlier.id,
      workflow: { id: workflow.id, version: earlier.workflow_version },
      status: earlier.status,
      duplicate: true,
      joined: true,
    };
  }

  /** The run of a key seen before, when the event is the same; a 409 (or dead letter) if not. */
  private resent(run: KeyedRun, event: TriggerEvent, digest: string): StartedRun {
    if (run.digest !== null && run.digest !== digest) {
      const reused = `${JSON.stringify(event.idempotencyKey)} was already used for a different event (run ${run.runId}); send the same event to get that run, or use a new key`;
      throw new TriggerError(TriggerErrorCode.IdempotencyKeyReused, `idempotency key ${reused}`, [
        `idempotencyKey: ${reused}`,
      ]);
    }
    return { runId: run.runId, workflow: run.workflow, status: run.status, duplicate: true };
  }

  private async find(tx: OutboxTransaction, event: TriggerEvent): Promise<KeyedRun | undefined> {
    const row = await this.ledger.findByIdempotencyKey(
      tx.manager,
      event.tenantId,
      event.idempotencyKey,
    );
    return (
      row && {
        runId: row.id,
        workflow: { id: row.workflow_id, version: row.workflow_version },
        status: row.status,
        digest: row.event_digest,
      }
    );
  }

  /** The workflow version this event starts, or why none. */
  private match(event: TriggerEvent): WorkflowDefinition {
    const workflow = event.workflowVersion
      ? this.workflows.get(event.workflowId, event.workflowVersion)
      : this.workflows.latest(event.workflowId);
    if (!workflow) {
      const known =
        this.workflows
          .all()
          .map((w) => `${w.id}@${w.version}`)
          .join(', ') || 'none';
      const wanted = event.workflowVersion
        ? `${event.workflowId}@${event.workflowVersion}`
        : event.workflowId;
      throw new TriggerError(
        TriggerErrorCode.UnknownWorkflow,
        `workflowId: no published workflow "${wanted}" (published: ${known})`,
      );
    }
    if (!workflow.trigger.eventTypes.includes(event.eventType)) {
      throw new TriggerError(
        TriggerErrorCode.EventTypeNotAccepted,
        `eventType: workflow ${workflow.id} starts on ${workflow.trigger.eventTypes.join(', ')}, not "${event.eventType}"`,
      );
    }
    return workflow;
  }

  /**
   * Filters come before `required`: an event the workflow does not want is ignored even when
   * it lacks fields that the events it wants must have.
   */
  private filteredOut(trigger: object, workflow: WorkflowDefinition): IgnoredEvent | undefined {
    const failed = firstFailing(workflow.trigger.filters ?? [], { trigger });
    if (!failed) return undefined;
    return {
      status: 'ignored',
      workflow: { id: workflow.id, version: workflow.version },
      reason: `trigger.filters.${failed.index} did not hold: ${describeFailure(failed, 'the event')}`,
    };
  }

  private refuseMissingData(event: TriggerEvent, workflow: WorkflowDefinition): void {
    const missing = (workflow.trigger.required ?? []).filter((path) => {
      const value = getPath(event.data, path);
      return value === undefined || value === null || value === '';
    });
    if (missing.length) {
      throw new TriggerError(
        TriggerErrorCode.MissingData,
        `data: ${workflow.id} needs ${missing.join(', ')}`,
        missing.map((path) => `data.${path}: is required by workflow ${workflow.id}`),
      );
    }
  }
}

/** The active span's trace id; null with tracing off (no span, or the all-zero invalid id). */
function runTraceId(): string | null {
  const { trace_id: traceId } = activeTraceIds();
  return traceId && isValidTraceId(traceId) ? traceId : null;
}
