/**
 * Which input offsets may be committed. Records arrive in offset order; each becomes safe once it
 * is delivered, dead-lettered or durably parked. The committable offset is the one after the
 * longest safe prefix, so a commit never passes a notification that is neither delivered nor kept.
 */
export interface OffsetSlot {
  readonly offset: string;
  safe: boolean;
}

export class OffsetTracker {
  private readonly slots: OffsetSlot[] = [];
  private head = 0;
  private lastSafe: string | undefined;
  private unsafe = 0;

  track(offset: string): OffsetSlot {
    const slot = { offset, safe: false };
    this.slots.push(slot);
    this.unsafe += 1;
    return slot;
  }

  markSafe(slot: OffsetSlot): void {
    if (slot.safe) return;
    slot.safe = true;
    this.unsafe -= 1;
  }

  /** Records accepted and not yet safe. */
  pending(): number {
    return this.unsafe;
  }

  /** The next offset to read (last safe + 1), as Kafka commits it; undefined when nothing is safe yet. */
  committable(): string | undefined {
    while (this.head < this.slots.length && this.slots[this.head]!.safe) {
      this.lastSafe = this.slots[this.head]!.offset;
      this.head += 1;
    }
    // Drop the consumed prefix now and then rather than shifting on every record.
    if (this.head > 1024 && this.head * 2 > this.slots.length) {
      this.slots.splice(0, this.head);
      this.head = 0;
    }
    return this.lastSafe === undefined ? undefined : (BigInt(this.lastSafe) + 1n).toString();
  }
}
