export { notifyConfigSchema, parseNotifyConfig, type NotifyConfig } from './config.js';
export type { NotificationEvent, StatusError, StatusTransition, SubscriptionStatusRecord } from './model.js';
export { hasStatusNotifications, payloadKind, usesPrevious, type PayloadKind } from './payloads.js';
export { NotifyProcessor, subscriptionStoreKey, type NotifyDeps, type NotifyResult } from './processor.js';
export {
  DEFAULT_OUTPUT_TOPICS,
  notificationChannel,
  outputTopicFor,
  unsupportedChannel,
  type OutputTopics,
} from './routing.js';
export type { NotificationShape } from './shape.js';
export {
  backportStatusParameters,
  statusResourceFor,
  statusSearchBundle,
  subscriptionStatusResource,
  type StatusInput,
} from './status-resource.js';
export { EventLog, retainedEventKey, type EventRetention, type RetainedEvent } from './event-log.js';
export {
  effectiveContent,
  eventsBundle,
  gapText,
  missingEvents,
  type EventsBundleInput,
  type EventsGap,
  type EventsQuery,
} from './events-bundle.js';
export type { StatusType } from './payload-context.js';
export { rememberJson, stringifyWithKnown, knownJson, lazyJson } from './known-json.js';
