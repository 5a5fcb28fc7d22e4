import type { DataSource, EntityManager } from 'typeorm';
import type { InboundRecord } from '../transport/transport.js';

/**
 * Records, inside the handler's transaction, that a message was handled. The primary key
 * makes a second delivery (after a crash or a rebalance) wait for the first transaction and
 * then see the row: the handler never runs twice to effect for one message id.
 */
export const Inbox = {
  async claim(
    manager: EntityManager,
    consumer: string,
    messageId: string,
    record: InboundRecord,
  ): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO inbox (consumer, message_id, topic, partition, "offset")
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (consumer, message_id) DO NOTHING
       RETURNING 1`,
      [consumer, messageId, record.topic, record.partition, record.offset],
    );
    return rows.length === 1;
  },

  /**
   * Takes a claim back, inside the same transaction: the message leaves no trace, so a
   * redelivery of it, or a later message with the same id, is handled afresh.
   */
  async release(manager: EntityManager, consumer: string, messageId: string): Promise<void> {
    await manager.query('DELETE FROM inbox WHERE consumer = $1 AND message_id = $2', [
      consumer,
      messageId,
    ]);
  },

  /**
   * Whether the consumer has handled the message, in no transaction (a first look: the claim
   * decides), with `sql`, a SELECT of at most one row on parameters $1…$n (`params`), in the
   * same statement; its row comes back through to_jsonb, or undefined when it has none.
   */
  async lookUp<R extends Record<string, unknown>>(
    dataSource: DataSource,
    consumer: string,
    messageId: string,
    sql = 'SELECT 1 WHERE false',
    params: unknown[] = [],
  ): Promise<{ handled: boolean; row: R | undefined }> {
    // The inbox's two parameters follow the caller's, so its SQL keeps its own numbers.
    const n = params.length;
    const rows: Array<{ handled: boolean; row: R | null }> = await dataSource.query(
      `SELECT EXISTS (SELECT 1 FROM inbox WHERE consumer = $${n + 1} AND message_id = $${n + 2}) AS handled,
              to_jsonb(own) AS row
         FROM (SELECT 1) AS one LEFT JOIN LATERAL (${sql} LIMIT 1) AS own ON true`,
      [...params, consumer, messageId],
    );
    return { handled: rows[0]?.handled === true, row: rows[0]?.row ?? undefined };
  },

  /** Deletes inbox rows older than the retention; redelivery older than that is not expected. */
  async prune(dataSource: DataSource, retentionMs: number): Promise<number> {
    const result: [unknown[], number] = await dataSource.query(
      `DELETE FROM inbox WHERE handled_at < now() - ($1::bigint * interval '1 millisecond')`,
      [retentionMs],
    );
    return result[1];
  },
};
