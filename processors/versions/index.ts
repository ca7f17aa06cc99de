export type { DropReason, StoredVersion } from './model.js';
export { compareVersions, type VersionOrder } from './order.js';
export {
  primeVersion,
  pruneVersions,
  versionsStep,
  type VersionsOutcome,
  type VersionsStepOptions,
} from './versions-step.js';
