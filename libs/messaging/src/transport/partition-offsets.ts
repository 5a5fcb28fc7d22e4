/**
 * Tracks one partition's offsets for one group generation. Records finish out of order
 * (different runs run in parallel), so the committable offset is the lowest unfinished
 * one: everything below it is done. Committing it never skips unfinished work.
 */
export class PartitionOffsets {
  private readonly pending = new Set<bigint>();
  private highestBegun = -1n;
  private lastCommitted = -1n;

  begin(offset: string): void {
    const value = BigInt(offset);
    this.pending.add(value);
    if (value > this.highestBegun) this.highestBegun = value;
  }

  finish(offset: string): void {
    this.pending.delete(BigInt(offset));
  }

  /** The next offset to commit (Kafka commits "the next record to read"), if it moved. */
  committable(): string | null {
    if (this.highestBegun < 0n) return null;
    let next = this.highestBegun + 1n;
    for (const offset of this.pending) if (offset < next) next = offset;
    return next > this.lastCommitted ? next.toString() : null;
  }

  markCommitted(offset: string): void {
    const value = BigInt(offset);
    if (value > this.lastCommitted) this.lastCommitted = value;
  }

  get inFlight(): number {
    return this.pending.size;
  }
}
