import type { KeyValueStore } from '../../state/index.js';
import type { ChangeEvent, FhirResource, VersionedChange } from '../contracts.js';
import { compareVersions, type VersionOrder } from './order.js';
import type { DropReason, StoredVersion } from './model.js';

export interface VersionsStepOptions {
  now: () => Date;
  /** Offset of the change in its changelog partition, carried for tracing. */
  changeOffset?: string;
  /** The changelog record of the change, when the store may keep it for the resource (`sourceRecordOf`). */
  record?: Buffer;
}

export type VersionsOutcome =
  | { kind: 'versioned'; value: VersionedChange }
  | { kind: 'dropped'; reason: DropReason; key: string; versionId?: string };

function lastUpdatedOf(change: ChangeEvent): string | undefined {
  return change.resource?.meta?.lastUpdated ?? change.occurredAt;
}

/** The last processing time's ISO text: changes processed in the same millisecond share it. */
let lastSeenMs = NaN;
let lastSeenText = '';
function isoAt(date: Date): string {
  const ms = date.getTime();
  if (ms !== lastSeenMs) {
    lastSeenText = date.toISOString();
    lastSeenMs = ms;
  }
  return lastSeenText;
}

function dropped(reason: DropReason, key: string, change: ChangeEvent): VersionsOutcome {
  const out: VersionsOutcome = { kind: 'dropped', reason, key };
  if (change.versionId !== undefined) out.versionId = change.versionId;
  return out;
}

/**
 * The versions stage for one change, keyed by its canonical resource key: attaches the previous
 * version, drops duplicates and stale versions, and turns a delete into a tombstone that keeps
 * the deleted version. The store is the `resource-versions` store, partitioned like the changelog.
 *
 * Runs once per change: objects are built by assignment rather than by spreading optional parts
 * (each spread allocates and copies a temporary object), with the same keys in the same order.
 */
export async function versionsStep(
  key: string,
  change: ChangeEvent,
  store: KeyValueStore<string, StoredVersion>,
  options: VersionsStepOptions,
): Promise<VersionsOutcome> {
  const stored = await store.get(key);
  const incoming = { versionId: change.versionId, lastUpdated: lastUpdatedOf(change) };
  const seenAt = isoAt(options.now());
  const isDelete = change.interaction === 'delete';
  let order: VersionOrder | undefined;

  if (stored) {
    order = compareVersions(incoming, stored);
    if (order === 'older') return dropped('stale', key, change);
    if (order === 'same') {
      const deleteOfDeleted = isDelete && stored.deleted;
      const enrich = !isDelete && !stored.deleted && !stored.emitted && stored.resource;
      if (enrich && !change.resource) {
        await store.put(key, { ...stored, emitted: true, seenAt });
        const value: VersionedChange = { change, current: stored.resource! };
        if (options.changeOffset !== undefined) value.changeOffset = options.changeOffset;
        return { kind: 'versioned', value };
      }
      if (stored.emitted || deleteOfDeleted) return dropped('duplicate', key, change);
    }
    // A delete of an already deleted resource carries nothing new, whatever its version says.
    if (isDelete && stored.deleted && order === 'unknown' && change.versionId === undefined) {
      return dropped('duplicate', key, change);
    }
  }

  // A primed body is this very version, not the one before it.
  const primedSame = stored !== undefined && !stored.emitted && order === 'same';
  const lastKnown: FhirResource | undefined =
    stored && !stored.deleted && !primedSame ? stored.resource : undefined;
  // For a delete, the deleted version stands as both the current state and the previous one.
  // A bodyless change keeps no body: the next change then has no previous body to compare.
  const current = isDelete ? (change.resource ?? lastKnown ?? change.previous) : change.resource;
  const previous = isDelete
    ? (lastKnown ?? change.previous ?? change.resource)
    : (change.previous ?? lastKnown);
  const versionId = change.versionId ?? (isDelete ? stored?.versionId : undefined);
  const next = {} as StoredVersion;
  if (versionId !== undefined) next.versionId = versionId;
  if (incoming.lastUpdated !== undefined) next.lastUpdated = incoming.lastUpdated;
  if (current) next.resource = current;
  const record =
    current === undefined
      ? undefined
      : current === change.resource
        ? options.record
        : current === stored?.resource
          ? stored.record
          : undefined;
  if (record !== undefined) next.record = record;
  next.deleted = isDelete;
  next.emitted = true;
  next.seenAt = seenAt;
  await store.put(key, next);
  const value: VersionedChange = { change };
  if (current) value.current = current;
  if (previous) value.previous = previous;
  if (options.changeOffset !== undefined) value.changeOffset = options.changeOffset;
  return { kind: 'versioned', value };
}

/**
 * Stores a body ahead of its change (HTTP ingest knows it; a light event will announce it), so a
 * bodyless change of the same version is enriched from it. Never overwrites a newer version.
 */
export async function primeVersion(
  key: string,
  resource: FhirResource,
  store: KeyValueStore<string, StoredVersion>,
  options: { now: () => Date },
): Promise<boolean> {
  const stored = await store.get(key);
  const versionId = resource.meta?.versionId;
  const lastUpdated = resource.meta?.lastUpdated;
  if (stored && compareVersions({ versionId, lastUpdated }, stored) !== 'newer') return false;
  await store.put(key, {
    ...(versionId !== undefined ? { versionId } : {}),
    ...(lastUpdated !== undefined ? { lastUpdated } : {}),
    resource,
    deleted: false,
    emitted: false,
    seenAt: options.now().toISOString(),
  });
  return true;
}

/**
 * Retention punctuator: removes entries not written for `retentionMs`, tombstones first among
 * equals. A resource idle longer than the retention loses its previous version (its next change
 * is treated as the first one seen). Returns how many entries were removed.
 */
export async function pruneVersions(
  store: KeyValueStore<string, StoredVersion>,
  options: { now: Date; retentionMs: number; tombstoneRetentionMs?: number },
): Promise<number> {
  const now = options.now.getTime();
  const expired: { key: string; value: null }[] = [];
  for await (const [key, value] of store.range()) {
    const age = now - Date.parse(value.seenAt);
    const limit = value.deleted ? (options.tombstoneRetentionMs ?? options.retentionMs) : options.retentionMs;
    if (age > limit) expired.push({ key, value: null });
  }
  if (expired.length > 0) await store.putAll(expired);
  return expired.length;
}
