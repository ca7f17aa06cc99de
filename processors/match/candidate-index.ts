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

  /**
   * Files an entry under the anchor whose keys currently hold the fewest entries (the most
   * selective way in, as the table stands), or on the scan list when it has none.
   */
  add(bucketKey: string, entry: E, anchors: readonly Anchor[]): void {
    let bucket = this.buckets.get(bucketKey);
    if (!bucket) this.buckets.set(bucketKey, (bucket = { scan: new Set(), spaces: new Map() }));
    const anchor = this.narrowest(bucket, anchors);
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

  private narrowest(bucket: Bucket<E>, anchors: readonly Anchor[]): Anchor | undefined {
    let best: Anchor | undefined;
    let bestLoad = Infinity;
    for (const anchor of anchors) {
      const slot = bucket.spaces.get(anchor.space.key);
      let load = anchor.keys.length;
      for (const key of anchor.keys) load += slot?.byKey.get(key)?.size ?? 0;
      if (load < bestLoad) {
        best = anchor;
        bestLoad = load;
      }
    }
    return best;
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

  /** Entries of the bucket that may match the resource, each once; each is then tested in full. */
  candidates(bucketKey: string, view: ResourceView | undefined): E[] {
    const bucket = this.buckets.get(bucketKey);
    if (!bucket) return [];
    const out: E[] = bucket.scan.size > 0 ? [...bucket.scan] : [];
    if (!view) return out;
    let sources = out.length > 0 ? 1 : 0;
    for (const { space, byKey } of bucket.spaces.values()) {
      for (const key of view.keys(space)) {
        const set = byKey.get(key);
        if (!set) continue;
        sources++;
        for (const e of set) out.push(e);
      }
    }
    // An entry filed under several keys the resource has would come out more than once.
    return sources > 1 ? [...new Set(out)] : out;
  }
}

/** The criteria that can anchor an entry in the index. */
export function anchorsOf(criteria: readonly { index?: Anchor }[]): Anchor[] {
  return criteria.flatMap((c) => (c.index ? [c.index] : []));
}
