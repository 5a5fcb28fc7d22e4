import type { DataSource, EntityManager } from 'typeorm';
import { SIGNATURE_HEADER, uuidv7, type RecordSigner } from '@baton/contracts';
import type { Logger } from '@baton/telemetry';
import type { MessageTransport, OutboundRecord } from '../transport/transport.js';

export interface OutboxRow extends OutboundRecord {
  id: string;
  value: string;
  headers: Record<string, string>;
}

export interface OutboxOptions {
  /** How often the sweeper looks for rows a crash left unpublished. */
  sweepIntervalMs: number;
  /** Rows younger than this are left to the publisher that wrote them. */
  sweepGraceMs: number;
  /** Rows per sweep. */
  sweepBatchSize: number;
}

/**
 * Transactional outbox. Handlers' messages are inserted in the handler's transaction and
 * published right after commit, then deleted in the background (one statement for all rows
 * sent meanwhile, no transaction of its own). The sweeper, the only one that locks rows,
 * publishes whatever a crash left behind. A row can be published twice (a crash between send
 * and delete, a send or delete slower than the sweep grace); consumers' inboxes absorb that.
 */
export class Outbox {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<number> | undefined;
  private readonly pending: Array<{ rows: OutboxRow[]; done: () => void }> = [];
  private flushing: Promise<void> | undefined;
  /** Ids of committed rows this instance is sending or deleting: its sweeper leaves them be. */
  private readonly sending = new Set<string>();
  /** Ids sent and not yet deleted. */
  private readonly sent: string[] = [];
  private deleting: Promise<void> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly transport: MessageTransport,
    private readonly logger: Logger,
    private readonly options: OutboxOptions,
    /** Signs every record (BATON_SIGNING_KEY), so the services that read it know its origin. */
    private readonly signer?: RecordSigner,
  ) {}

  stage(record: OutboundRecord): OutboxRow {
    if (record.value === null || typeof record.value !== 'string') {
      throw new Error('outbox records carry JSON text values');
    }
    const headers = { ...record.headers };
    if (this.signer) headers[SIGNATURE_HEADER] = this.signer.sign(record);
    return { ...record, id: uuidv7(), value: record.value, headers };
  }

  async insert(manager: EntityManager, rows: OutboxRow[]): Promise<void> {
    if (rows.length === 0) return;
    const values: unknown[] = [];
    const tuples = rows.map((row, i) => {
      values.push(row.id, row.topic, row.key, row.value, JSON.stringify(row.headers));
      const b = i * 5;
      return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}::jsonb)`;
    });
    await manager.query(
      `INSERT INTO outbox (id, topic, key, value, headers) VALUES ${tuples.join(', ')}`,
      values,
    );
  }

  /**
   * Publishes rows just committed, and resolves once they are sent (or left to the sweeper on
   * failure). Rows committed while a send is under way go out together in the next one, so
   * concurrent handlers share produce requests instead of paying each. Sent rows are deleted in
   * the background, coalesced the same way: no send and no handler waits for a DELETE.
   */
  publishCommitted(rows: OutboxRow[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.pending.push({ rows, done: resolve });
      this.flushing ??= this.flush();
    });
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0);
      const rows = batch.flatMap((entry) => entry.rows);
      // No lock and no transaction: the rows were committed a moment ago and are this
      // instance's to send. This instance's sweeper skips them until they are deleted; other
      // instances' sweepers leave them alone for the grace period (BATON_OUTBOX_SWEEP_GRACE_MS).
      // A send (or delete) slower than that may be sent twice, which consumers' inboxes absorb.
      for (const row of rows) this.sending.add(row.id);
      try {
        await this.transport.publish(rows);
        this.sent.push(...rows.map((r) => r.id));
        this.deleting ??= this.deleteSent();
      } catch (error) {
        for (const row of rows) this.sending.delete(row.id);
        this.logger.warn(
          { err: error, rows: rows.length },
          'outbox publish failed; the sweeper will retry',
        );
      }
      batch.forEach((entry) => entry.done());
    }
    this.flushing = undefined;
  }

  /** Deletes sent rows, all that were sent meanwhile in one statement. */
  private async deleteSent(): Promise<void> {
    while (this.sent.length > 0) {
      const ids = this.sent.splice(0);
      try {
        await this.dataSource.query(`DELETE FROM outbox WHERE id = ANY($1::uuid[])`, [ids]);
      } catch (error) {
        // Left in the table: a sweeper sends them again after the grace (inboxes absorb it).
        this.logger.warn(
          { err: error, rows: ids.length },
          'deleting sent outbox rows failed; a sweeper will send them again',
        );
      } finally {
        for (const id of ids) this.sending.delete(id);
      }
    }
    this.deleting = undefined;
  }

  /** Publishes rows older than the grace period, oldest first. Returns how many. */
  sweep(): Promise<number> {
    this.sweeping ??= this.dataSource
      .transaction(async (manager) => {
        const rows: Array<{
          id: string;
          topic: string;
          key: string | null;
          value: string;
          headers: Record<string, string>;
        }> = await manager.query(
          `SELECT id, topic, key, value, headers FROM outbox
             WHERE created_at < now() - ($1::bigint * interval '1 millisecond')
               AND NOT (id = ANY($3::uuid[]))
             ORDER BY created_at, id
             LIMIT $2
             FOR UPDATE SKIP LOCKED`,
          [this.options.sweepGraceMs, this.options.sweepBatchSize, [...this.sending]],
        );
        if (rows.length === 0) return 0;
        await this.transport.publish(rows);
        await manager.query(`DELETE FROM outbox WHERE id = ANY($1::uuid[])`, [
          rows.map((r) => r.id),
        ]);
        this.logger.info({ rows: rows.length }, 'outbox sweeper published rows left unsent');
        return rows.length;
      })
      .finally(() => {
        this.sweeping = undefined;
      });
    return this.sweeping;
  }

  startSweeper(): void {
    if (this.timer) return;
    const tick = async () => {
      try {
        // Keep going while full batches come back: a backlog drains at once.
        while ((await this.sweep()) === this.options.sweepBatchSize);
      } catch (error) {
        this.logger.warn({ err: error }, 'outbox sweep failed; retrying on the next tick');
      }
      if (this.timer) this.timer = setTimeout(next, this.options.sweepIntervalMs);
    };
    // `tick` catches everything it can throw, so nothing is left to handle here.
    const next = () => void tick();
    this.timer = setTimeout(next, this.options.sweepIntervalMs);
  }

  async stopSweeper(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.sweeping?.catch(() => undefined);
    // Rows already sent are deleted before the pool closes (deleteSent never rejects). A send
    // still under way (a broker outage) is not waited for: its rows stay for a sweeper.
    await this.deleting;
  }
}
