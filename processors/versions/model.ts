import type { FhirResource } from '../contracts.js';

/** What the `resource-versions` store keeps per resource (key: the canonical resource key). */
export interface StoredVersion {
  versionId?: string;
  /** meta.lastUpdated of the stored version: the order when version ids are not numeric. */
  lastUpdated?: string;
  /** The last known body; for a tombstone, the deleted version. */
  resource?: FhirResource;
  /**
   * The changelog record `resource` came in, when that record is one canonical change in JSON:
   * the store's codec keeps these bytes rather than serialising the resource again. In memory
   * only; never part of the stored JSON.
   */
  record?: Buffer;
  deleted: boolean;
  /**
   * False when the body was primed (stored ahead of its change, e.g. by ingest) and no change
   * for it has been emitted yet: a bodyless change of that version is then enriched, not dropped.
   */
  emitted: boolean;
  /** Processing time of the last write (ISO-8601): what the retention setting compares. */
  seenAt: string;
}

export type DropReason = 'duplicate' | 'stale';
