export { startService, type RunningService, type StartServiceOptions } from './service.js';
export type { StreamThreadFailure } from './thread-supervisor.js';
export { spawnStreamThread, type SpawnStreamThread, type ThreadWorker } from './worker-thread.js';
