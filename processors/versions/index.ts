export type { DropReason as VersionDropReason, StoredVersion } from './model.js';
export { parseVersionsConfig, versionsConfigSchema, type VersionsConfig } from './config.js';
export {
  primeVersion,
  pruneVersions,
  versionsStep,
  type VersionsOutcome,
  type VersionsStepOptions,
} from './versions-step.js';
export { resourceOfSourceRecord, sourceRecordOf } from './source-record.js';
