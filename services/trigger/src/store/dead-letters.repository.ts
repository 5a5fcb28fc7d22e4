import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { uuidv7 } from '@baton/contracts';

/** A record as it lies in a dead-letter topic, with what its headers say about it. */
export interface CollectedDeadLetter {
  topic: string;
  partition: number;
  offset: string;
  sourceTopic: string;
  reason: string;
  errors: string[];
  consumer: string | null;
  attempts: number | null;
  failedAt: Date;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

export interface DeadLetterRow {
  id: string;
  topic: string;
  partition: number;
  offset: string;
  source_topic: string;
  reason: string;
  errors: string[];
  consumer: string | null;
  attempts: number | null;
  failed_at: Date;
  record_key: string | null;
  record_value: Buffer | null;
  headers: Record<string, string>;
  collected_at: Date;
  replays: number;
  replayed_at: Date | null;
  replayed_by: string | null;
}

export interface DeadLetterFilter {
  /** The dead-letter topic (`<topic>.dlq`). */
  topic?: string;
  reason?: string;
  /** `open`: never replayed; `replayed`: sent back at least once. */
  status?: 'open' | 'replayed';
  /** Only those collected before this one (the previous page's last): newest first. */
  cursor?: string;
  limit: number;
}

/** Per dead-letter topic: how many lie there, and how many were never replayed. */
export interface DeadLetterTopicCount {
  topic: string;
  source_topic: string;
  total: number;
  open: number;
}

const SUMMARY_COLUMNS = `id, topic, partition, "offset"::text AS "offset", source_topic, reason,
  errors, consumer, attempts, failed_at, record_key, octet_length(record_value) AS size,
  collected_at, replays, replayed_at, replayed_by`;

/** The collected dead letters (`dead_letters`): one row per record in a `.dlq` topic. */
@Injectable()
export class DeadLetterStore {
  /** Records one dead letter; a record collected before (redelivered) changes nothing. */
  async collect(manager: EntityManager, letter: CollectedDeadLetter): Promise<void> {
    await manager.query(
      `INSERT INTO dead_letters (id, topic, partition, "offset", source_topic, reason, errors,
          consumer, attempts, failed_at, record_key, record_value, headers)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
        ON CONFLICT (topic, partition, "offset") DO NOTHING`,
      [
        uuidv7(),
        letter.topic,
        letter.partition,
        letter.offset,
        letter.sourceTopic,
        letter.reason,
        JSON.stringify(letter.errors),
        letter.consumer,
        letter.attempts,
        letter.failedAt,
        letter.key,
        letter.value,
        JSON.stringify(letter.headers),
      ],
    );
  }

  /** A page, newest first (ids are UUIDv7, in the order collected), without the records' values (`size` says how large each is). */
  async list(
    manager: EntityManager,
    filter: DeadLetterFilter,
  ): Promise<Array<Omit<DeadLetterRow, 'record_value' | 'headers'> & { size: number | null }>> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (filter.topic !== undefined) where.push(`topic = ${param(filter.topic)}`);
    if (filter.reason !== undefined) where.push(`reason = ${param(filter.reason)}`);
    if (filter.status === 'open') where.push('replays = 0');
    if (filter.status === 'replayed') where.push('replays > 0');
    if (filter.cursor !== undefined) where.push(`id < ${param(filter.cursor)}`);
    return manager.query(
      `SELECT ${SUMMARY_COLUMNS} FROM dead_letters
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY id DESC LIMIT ${Math.trunc(filter.limit)}`,
      params,
    );
  }

  /** Every dead-letter topic that holds a record, with its counts. */
  async topics(manager: EntityManager): Promise<DeadLetterTopicCount[]> {
    return manager.query(
      `SELECT topic, min(source_topic) AS source_topic, count(*)::int AS total,
              (count(*) FILTER (WHERE replays = 0))::int AS open
         FROM dead_letters GROUP BY topic ORDER BY topic`,
    );
  }

  async find(manager: EntityManager, id: string): Promise<DeadLetterRow | undefined> {
    const rows: DeadLetterRow[] = await manager.query(
      `SELECT *, "offset"::text AS "offset" FROM dead_letters WHERE id = $1`,
      [id],
    );
    return rows[0];
  }

  /** Counts one replay of the record, by whom and when. */
  async replayed(manager: EntityManager, id: string, by: string, at: Date): Promise<void> {
    await manager.query(
      `UPDATE dead_letters SET replays = replays + 1, replayed_at = $2, replayed_by = $3
        WHERE id = $1`,
      [id, at, by],
    );
  }
}
