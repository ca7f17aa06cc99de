export { startService, type RunningService, type StartServiceOptions } from './service.js';
