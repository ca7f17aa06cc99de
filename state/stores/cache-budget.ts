/** A store cache that draws on a shared budget (caching-store.ts). */
export interface CacheMember {
  /** Bytes it holds now, as counted towards the budget. */
  readonly bytes: number;
  /** Drops its oldest entries until at least `bytes` are freed, or it is empty. */
  evictOldest(bytes: number): void;
}

/**
 * The memory the store caches of one stream thread share, as Kafka Streams bounds its record
 * caches by bytes rather than by entries per store. Caches bounded by entries alone grow with the
 * partitions an instance owns: 10,000 resource versions per task were about 25 MB each. Every
 * cache counts its entries here; when the total passes the budget, the cache that just added
 * gives up its oldest entries if it holds more than its share (the budget over the caches), the
 * largest cache otherwise, down to a sixteenth under the budget, so that eviction runs in bursts
 * rather than once per entry.
 */
export class CacheBudget {
  private readonly members = new Set<CacheMember>();
  private total = 0;

  constructor(readonly maxBytes: number) {}

  /** Bytes counted now, over every cache. */
  get bytes(): number {
    return this.total;
  }

  join(member: CacheMember): void {
    this.members.add(member);
  }

  /** A closing cache: its bytes no longer count (it reported its last change through `change`). */
  leave(member: CacheMember): void {
    this.members.delete(member);
  }

  /** A member's bytes grew (positive) or shrank (negative) by `delta`. */
  change(delta: number): void {
    this.total += delta;
  }

  /** After `member` added entries: evicts until the caches are back under the budget. */
  settle(member: CacheMember): void {
    if (this.total <= this.maxBytes) return;
    const target = this.maxBytes - (this.maxBytes >> 4);
    const share = this.maxBytes / Math.max(1, this.members.size);
    while (this.total > target) {
      const victim = member.bytes > share ? member : this.largest();
      if (victim === undefined || victim.bytes === 0) return;
      victim.evictOldest(this.total - target);
    }
  }

  private largest(): CacheMember | undefined {
    let largest: CacheMember | undefined;
    for (const m of this.members) if (largest === undefined || m.bytes > largest.bytes) largest = m;
    return largest;
  }
}
