import type { StoredVersion } from './model.js';

const NUMERIC = /^\d{1,15}$/;

/** Where an incoming version stands against the stored one. */
export type VersionOrder = 'newer' | 'same' | 'older' | 'unknown';

/**
 * Numeric version ids compare as numbers (FHIR servers that count versions); otherwise equal ids
 * are the same version and meta.lastUpdated orders the rest (Firely's UUID versions).
 */
export function compareVersions(
  incoming: { versionId?: string; lastUpdated?: string },
  stored: Pick<StoredVersion, 'versionId' | 'lastUpdated'>,
): VersionOrder {
  const a = incoming.versionId;
  const b = stored.versionId;
  if (a !== undefined && b !== undefined) {
    if (NUMERIC.test(a) && NUMERIC.test(b)) {
      const d = Number(a) - Number(b);
      return d > 0 ? 'newer' : d === 0 ? 'same' : 'older';
    }
    if (a === b) return 'same';
  }
  const ta = incoming.lastUpdated !== undefined ? Date.parse(incoming.lastUpdated) : NaN;
  const tb = stored.lastUpdated !== undefined ? Date.parse(stored.lastUpdated) : NaN;
  if (!Number.isNaN(ta) && !Number.isNaN(tb)) {
    if (ta > tb) return 'newer';
    // Two distinct version ids at the same instant cannot be ordered: let the change through.
    if (ta === tb) return a !== undefined && b !== undefined && a !== b ? 'unknown' : 'same';
    return 'older';
  }
  return 'unknown';
}
