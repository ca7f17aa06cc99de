export { backportNotificationBundle, r5NotificationBundle } from './bundles.js';
export { classicPayload } from './classic.js';
export { stableId } from './ids.js';
export {
  MAX_ERRORS,
  type NotificationEvent,
  type StatusError,
  type StatusTransition,
  type SubscriptionStatusRecord,
} from './model.js';
export { FHIR_JSON, type Payload, type PayloadContext } from './payload-context.js';
export {
  buildPayloads,
  eventsPerNotification,
  hasStatusNotifications,
  payloadKind,
  type PayloadKind,
} from './payloads.js';
export { NotifyProcessor, subscriptionStoreKey, type NotifyDeps, type NotifyResult } from './processor.js';
export { absoluteReference, collectReferences, mapReferences, relativeReference } from './references.js';
export {
  DEFAULT_OUTPUT_TOPICS,
  notificationChannel,
  outputTopicFor,
  unsupportedChannel,
  type OutputTopics,
} from './routing.js';
export { selectAdditionalContext, type NotificationShape } from './shape.js';
export {
  backportStatusParameters,
  statusResourceFor,
  statusSearchBundle,
  subscriptionStatusResource,
  type StatusInput,
} from './status-resource.js';
export { applyDeliveryOptions, deliveredId } from './transform.js';
export { changedElements, ehealthContext, ehealthReference, ehealthSimple } from './vendor-ehealth.js';
export { firelyPayload } from './vendor-firely.js';
export { parseHeaderLines, smilePayload } from './vendor-smile.js';
