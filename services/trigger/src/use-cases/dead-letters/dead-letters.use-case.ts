import { Inject, Injectable } from '@nestjs/common';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsString,
  IsUUID,
  Min,
  ValidateNested,
} from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import type { DataSource } from 'typeorm';
import { AnyJson, Nullable, SIGNATURE_HEADER } from '@baton/contracts';
import { DEAD_LETTER_REASONS, replayHeaders, type MessagingRuntime } from '@baton/messaging';
import { DATA_SOURCE, LOGGER, MESSAGING_RUNTIME, type Principal } from '@baton/service-kit';
import type { Logger } from '@baton/telemetry';
import { TriggerError, TriggerErrorCode } from '../../domain/trigger-error.js';
import {
  DeadLetterStore,
  type DeadLetterFilter,
  type DeadLetterRow,
} from '../../store/dead-letters.repository.js';

/** Headers a replayed record carries beside its original ones: which dead letter, and who. */
export const REPLAY_HEADER = {
  from: 'baton-replayed-from',
  by: 'baton-replayed-by',
} as const;

const REASONS = [...DEAD_LETTER_REASONS, 'unknown'] as const;

/** One dead letter as `GET /v1/dead-letters` lists it: where it lies and why, not its value. */
export class DeadLetterSummary {
  @IsUUID() id!: string;
  @JSONSchema({ description: 'The dead-letter topic it lies in (`<topic>.dlq`).' })
  @IsString()
  topic!: string;
  @IsInt() @Min(0) partition!: number;
  @JSONSchema({ description: 'Its offset in the dead-letter topic (a decimal string).' })
  @IsString()
  offset!: string;
  @JSONSchema({ description: 'Where a replay sends it: the topic it was read from.' })
  @IsString()
  sourceTopic!: string;
  @JSONSchema({
    description:
      'Why (docs/contracts.md#dead-letter-topics); `unknown` for a record whose headers do not say.',
  })
  @IsIn(REASONS)
  reason!: (typeof REASONS)[number];
  @JSONSchema({ description: 'What failed, as the consumer recorded it (each clipped).' })
  @IsArray()
  @IsString({ each: true })
  errors!: string[];
  @Nullable('The consumer group that gave up on it.') @IsString() consumer!: string | null;
  @Nullable('Attempts made before it was dead-lettered (0: refused before any).')
  @IsInt()
  attempts!: number | null;
  @IsISO8601() failedAt!: string;
  @Nullable('Its Kafka key: the run id for a step, the idempotency key for a trigger event.')
  @IsString()
  key!: string | null;
  @Nullable('Size of its value in bytes; null for a record without one.')
  @IsInt()
  size!: number | null;
  @JSONSchema({ description: 'Times an admin replayed it (0: it still waits).' })
  @IsInt()
  @Min(0)
  replays!: number;
  @Nullable('When it was last replayed.') @IsISO8601() replayedAt!: string | null;
  @Nullable('The API key name that last replayed it.') @IsString() replayedBy!: string | null;
}

/** A dead-letter topic that holds records. */
export class DeadLetterTopic {
  @IsString() topic!: string;
  @IsString() sourceTopic!: string;
  @JSONSchema({ description: 'Records collected from it.' }) @IsInt() @Min(0) total!: number;
  @JSONSchema({ description: 'Those never replayed.' }) @IsInt() @Min(0) open!: number;
}

/** `GET /v1/dead-letters`: a page, newest first, and every topic's counts. */
export class DeadLetterPage {
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => DeadLetterSummary)
  items!: DeadLetterSummary[];
  @Nullable('The cursor of the next page; null on the last page.')
  @IsString()
  nextCursor!: string | null;
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => DeadLetterTopic)
  topics!: DeadLetterTopic[];
}

/** `GET /v1/dead-letters/{id}`: the record itself, to judge before a replay. */
export class DeadLetterDetail extends DeadLetterSummary {
  @JSONSchema({
    description:
      'How `value` is given: the record’s JSON, its text when it is not JSON, base64 when it is not text, or none.',
  })
  @IsIn(['json', 'text', 'base64', 'none'])
  valueFormat!: 'json' | 'text' | 'base64' | 'none';
  @AnyJson('The record’s value, as valueFormat says.') value!: unknown;
  @JSONSchema({
    description: `Its headers, the \`baton-dlq-*\` ones included; ${SIGNATURE_HEADER} shows only whether it is there.`,
  })
  @IsObject()
  headers!: Record<string, string>;
  @Nullable('The trace it was part of (from its traceparent header), for Jaeger.')
  @IsString()
  traceId!: string | null;
}

const summaryOf = (
  row: Omit<DeadLetterRow, 'record_value' | 'headers'> & { size?: number | null },
): DeadLetterSummary => ({
  id: row.id,
  topic: row.topic,
  partition: row.partition,
  offset: row.offset,
  sourceTopic: row.source_topic,
  reason: (REASONS as readonly string[]).includes(row.reason)
    ? (row.reason as DeadLetterSummary['reason'])
    : 'unknown',
  errors: row.errors,
  consumer: row.consumer,
  attempts: row.attempts,
  failedAt: row.failed_at.toISOString(),
  key: row.record_key,
  size: row.size ?? null,
  replays: row.replays,
  replayedAt: row.replayed_at?.toISOString() ?? null,
  replayedBy: row.replayed_by,
});

function detailOf(row: DeadLetterRow): DeadLetterDetail {
  const value = row.record_value;
  let valueFormat: DeadLetterDetail['valueFormat'] = 'none';
  let shown: unknown = null;
  if (value) {
    const text = new TextDecoder('utf-8', { fatal: true });
    try {
      const decoded = text.decode(value);
      try {
        shown = JSON.parse(decoded);
        valueFormat = 'json';
      } catch {
        shown = decoded;
        valueFormat = 'text';
      }
    } catch {
      shown = value.toString('base64');
      valueFormat = 'base64';
    }
  }
  const headers = { ...row.headers };
  if (headers[SIGNATURE_HEADER] !== undefined) headers[SIGNATURE_HEADER] = '(present)';
  const trace = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(
    row.headers['traceparent'] ?? '',
  );
  return {
    ...summaryOf({ ...row, size: value?.length ?? null }),
    valueFormat,
    value: shown,
    headers,
    traceId: trace?.[1] ?? null,
  };
}

/**
 * The dead letters the trigger service collected (inbound/dead-letter-collector.ts): list them,
 * read one, and replay one to its source topic once its cause is fixed (an admin's call).
 */
@Injectable()
export class DeadLettersUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(MESSAGING_RUNTIME) private readonly runtime: MessagingRuntime,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly store: DeadLetterStore,
  ) {}

  async list(filter: DeadLetterFilter): Promise<DeadLetterPage> {
    const manager = this.dataSource.manager;
    const [rows, topics] = await Promise.all([
      this.store.list(manager, { ...filter, limit: filter.limit + 1 }),
      this.store.topics(manager),
    ]);
    const page = rows.slice(0, filter.limit);
    return {
      items: page.map(summaryOf),
      nextCursor: rows.length > filter.limit ? page[page.length - 1]!.id : null,
      topics: topics.map((t) => ({
        topic: t.topic,
        sourceTopic: t.source_topic,
        total: t.total,
        open: t.open,
      })),
    };
  }

  async get(id: string): Promise<DeadLetterDetail> {
    return detailOf(await this.find(id));
  }

  /**
   * Sends the record back to its source topic as it was (key, value, original headers with
   * the signature: a forged record is refused again), marked with where it came from and who
   * sent it, then counts the replay. A replay of a record that was in fact handled meanwhile is
   * a no-op for its consumer (the inbox, or the runs table for a trigger event, has it).
   */
  async replay(
    id: string,
    principal: Principal,
    now: Date = new Date(),
  ): Promise<DeadLetterDetail> {
    const row = await this.find(id);
    await this.runtime.transport.publish([
      {
        topic: row.source_topic,
        key: row.record_key,
        value: row.record_value,
        headers: {
          ...replayHeaders(row.headers),
          [REPLAY_HEADER.from]: `${row.topic}/${row.partition}/${row.offset}`,
          [REPLAY_HEADER.by]: principal.name,
        },
      },
    ]);
    await this.store.replayed(this.dataSource.manager, id, principal.name, now);
    this.logger.info(
      { deadLetter: id, topic: row.source_topic, from: row.topic, by: principal.name },
      'dead letter replayed to its source topic',
    );
    return this.get(id);
  }

  private async find(id: string): Promise<DeadLetterRow> {
    const row = await this.store.find(this.dataSource.manager, id);
    if (!row) throw new TriggerError(TriggerErrorCode.DeadLetterNotFound, `no dead letter ${id}`);
    return row;
  }
}
