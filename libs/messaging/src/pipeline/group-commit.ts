import type { DataSource, EntityManager } from 'typeorm';
import type { Outbox, OutboxRow } from '../store/outbox.js';
import type { InboundRecord } from '../transport/transport.js';
import { TransactionBatches } from './transaction-batches.js';

/** One message waiting for a shared transaction. */
export interface GroupItem {
  messageId: string;
  record: InboundRecord;
  /**
   * Runs the message's handler in the shared transaction: `stage` collects what it emits,
   * `release` forgets its inbox claim (in the same transaction), `batches` are the writes the
   * group's handlers put off to one multi-row statement each (flushed after the last handler).
   */
  run(
    manager: EntityManager,
    stage: (row: OutboxRow) => void,
    batches: TransactionBatches,
  ): Promise<void>;
}

export type GroupOutcome = 'handled' | 'duplicate';

/** The shared transaction failed: every message in it is to be handled again on its own. */
export class GroupFailed extends Error {
  constructor(override readonly cause: unknown) {
    super('the shared transaction of a message group failed', { cause });
    this.name = 'GroupFailed';
  }
}

/**
 * Group commit for cheap, database-only handlers (the run ledger, the ended-runs record): the
 * messages that arrive while a transaction is under way are handled together in the next one —
 * one BEGIN/COMMIT, one multi-row inbox claim and one outbox insert for the lot, instead of
 * each; what the handlers put in a batch (`HandlerContext.batch`) is written once for the lot. A lone message starts at once, so an idle consumer waits for nothing.
 *
 * Exactly-once is unchanged: each message's inbox row, its handler's writes and its outbox rows
 * commit together (with the others'). Records of one key are never in one group (the transport
 * hands a key's next record only after the previous one finished), so order per key holds. If
 * the shared transaction fails, nothing of it committed and every message in it is rejected
 * with `GroupFailed`: the pipeline handles each again on its own, with its own retries and
 * dead letter, so one poison message cannot hold the others.
 */
export class GroupCommit {
  private readonly queue: Array<{
    item: GroupItem;
    resolve: (outcome: GroupOutcome) => void;
    reject: (error: unknown) => void;
  }> = [];
  private draining = false;

  constructor(
    private readonly options: {
      consumer: string;
      dataSource: DataSource;
      outbox: Outbox;
      /** Messages per transaction, at most. */
      maxGroup: number;
    },
  ) {}

  submit(item: GroupItem): Promise<GroupOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const group = this.queue.splice(0, this.options.maxGroup);
        const staged: OutboxRow[] = [];
        let outcomes: GroupOutcome[];
        try {
          outcomes = await this.options.dataSource.transaction(async (manager) => {
            const claimed = await claimAll(
              manager,
              this.options.consumer,
              group.map((g) => g.item),
            );
            const batches = new TransactionBatches();
            for (const [i, entry] of group.entries()) {
              if (claimed[i]) await entry.item.run(manager, (row) => staged.push(row), batches);
            }
            await batches.flush(manager);
            await this.options.outbox.insert(manager, staged);
            return claimed.map((c): GroupOutcome => (c ? 'handled' : 'duplicate'));
          });
        } catch (error) {
          const failed = new GroupFailed(error);
          for (const entry of group) entry.reject(failed);
          continue;
        }
        // Sent before any record of the group counts as done, as for a lone message.
        await this.options.outbox.publishCommitted(staged);
        group.forEach((entry, i) => entry.resolve(outcomes[i]!));
      }
    } finally {
      this.draining = false;
    }
  }
}

/**
 * Claims every message's inbox row in one statement; `true` where this transaction claimed it.
 * A message id twice in one group (a redelivery next to the original) is claimed once.
 */
async function claimAll(
  manager: EntityManager,
  consumer: string,
  items: GroupItem[],
): Promise<boolean[]> {
  const values: unknown[] = [consumer];
  const tuples = items.map((item, i) => {
    values.push(item.messageId, item.record.topic, item.record.partition, item.record.offset);
    const b = 2 + i * 4;
    return `($1, $${b}, $${b + 1}, $${b + 2}, $${b + 3})`;
  });
  const rows: Array<{ message_id: string }> = await manager.query(
    `INSERT INTO inbox (consumer, message_id, topic, partition, "offset")
     VALUES ${tuples.join(', ')}
     ON CONFLICT (consumer, message_id) DO NOTHING
     RETURNING message_id`,
    values,
  );
  const fresh = new Set(rows.map((row) => row.message_id));
  return items.map((item) => fresh.delete(item.messageId));
}
