export { DeliveryProcessor, type DeliveryStats } from './processor.js';
export { backoffDelay, defaultBackoff, type BackoffOptions } from './backoff.js';
export { redriveDeadLetters, requeueDeadLetters, type RequeueResult } from './redrive.js';
export { deadLetterPrefix } from './keys.js';
export * from './types.js';
export { deliveryConfigSchema, type DeliveryConfigInput } from './config.js';
