import type { IndexSpace, ResourceView } from './types.js';

/** Where one entry is filed: under equality keys of one criterion, or on the scan list. */
export interface Anchor {
  space: IndexSpace;
  keys: string[];
}

interface Bucket<E> {
  scan: Set<E>;
  spaces: Map<string, { space: IndexSpace; byKey: Map<string, Set<E>> }>;
}

/**
 * Picks candidate entries for a resource: within a bucket (tenant and resource type, and topic),
 * entries filed under an equality key are found through the resource's own keys for that
 * parameter; only entries without an indexable criterion are scanned. The cost of a change
 * grows with its candidates, not with the number of entries.
 */
export class CandidateIndex<E> {
  private readonly buckets = new Map<string, Bucket<E>>();
  private readonly placements = new Map<E, { bucket: string; anchor?: Anchor }[]>();

  add(bucketKey: string, entry: E, anchor?: Anchor): void {
    let bucket = this.buckets.get(bucketKey);
    if (!bucket) this.buckets.set(bucketKey, (bucket = { scan: new Set(), spaces: new Map() }));
    if (anchor) {
      let slot = bucket.spaces.get(anchor.space.key);
      if (!slot) bucket.spaces.set(anchor.space.key, (slot = { space: anchor.space, byKey: new Map() }));
      for (const key of anchor.keys) {
        let set = slot.byKey.get(key);
        if (!set) slot.byKey.set(key, (set = new Set()));
        set.add(entry);
      }
    } else {
      bucket.scan.add(entry);
    }
    const list = this.placements.get(entry) ?? [];
    list.push({ bucket: bucketKey, ...(anchor ? { anchor } : {}) });
    this.placements.set(entry, list);
  }

  remove(entry: E): void {
    for (const { bucket: bucketKey, anchor } of this.placements.get(entry) ?? []) {
      const bucket = this.buckets.get(bucketKey);
      if (!bucket) continue;
      if (anchor) {
        const slot = bucket.spaces.get(anchor.space.key);
        for (const key of anchor.keys) {
          const set = slot?.byKey.get(key);
          set?.delete(entry);
          if (set && set.size === 0) slot!.byKey.delete(key);
        }
        if (slot && slot.byKey.size === 0) bucket.spaces.delete(anchor.space.key);
      } else {
        bucket.scan.delete(entry);
      }
      if (bucket.scan.size === 0 && bucket.spaces.size === 0) this.buckets.delete(bucketKey);
    }
    this.placements.delete(entry);
  }

  has(bucketKey: string): boolean {
    return this.buckets.has(bucketKey);
  }

  /** Entries of the bucket that may match the resource; each is then tested in full. */
  candidates(bucketKey: string, view: ResourceView | undefined): Set<E> {
    const bucket = this.buckets.get(bucketKey);
    if (!bucket) return new Set();
    const out = new Set(bucket.scan);
    if (!view) return out;
    for (const { space, byKey } of bucket.spaces.values()) {
      for (const key of space.keysOf(view.values(space.extractor))) {
        const set = byKey.get(key);
        if (set) for (const e of set) out.add(e);
      }
    }
    return out;
  }
}

/** The indexable criterion with the fewest keys: the narrowest way in. */
export function chooseAnchor(criteria: readonly { index?: Anchor }[]): Anchor | undefined {
  let best: Anchor | undefined;
  for (const c of criteria) {
    if (c.index && (!best || c.index.keys.length < best.keys.length)) best = c.index;
  }
  return best;
}
