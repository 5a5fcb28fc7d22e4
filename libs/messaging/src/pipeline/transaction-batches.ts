import type { EntityManager } from 'typeorm';

/**
 * Writes that handlers put off to the end of their transaction, so that the messages of a group
 * (group commit) write them as one multi-row statement instead of one statement each. Each
 * handler adds to the transaction's batch of a key (`batch`); the pipeline flushes every batch
 * once, after the last handler and before the outbox insert, in the order they were first asked
 * for. A lone message's transaction flushes the same way, with a batch of one.
 */
export class TransactionBatches {
  private readonly batches = new Map<
    string,
    { state: unknown; flush: (manager: EntityManager, state: unknown) => Promise<void> }
  >();

  /** This transaction's batch for `key`: made by `create` the first time, flushed by `flush`. */
  batch<S>(
    key: string,
    create: () => S,
    flush: (manager: EntityManager, state: S) => Promise<void>,
  ): S {
    let entry = this.batches.get(key);
    if (!entry) {
      entry = { state: create(), flush: flush as (m: EntityManager, s: unknown) => Promise<void> };
      this.batches.set(key, entry);
    }
    return entry.state as S;
  }

  /** Writes every batch (inside the transaction); a failure fails the transaction. */
  async flush(manager: EntityManager): Promise<void> {
    const entries = [...this.batches.values()];
    this.batches.clear();
    for (const { state, flush } of entries) await flush(manager, state);
  }
}
