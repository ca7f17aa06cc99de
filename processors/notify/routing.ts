import type { ChannelType, Notification, NotificationChannel } from '../contracts.js';
import type { NormalizedSubscription } from '../subscription/index.js';

/** Output topic per delivered channel type (DESIGN.md section 1). */
export interface OutputTopics {
  'rest-hook': string;
  message: string;
  kafka: string;
}

export const DEFAULT_OUTPUT_TOPICS: OutputTopics = {
  'rest-hook': 'fhir.notifications.rest-hook',
  message: 'fhir.notifications.message',
  kafka: 'fhir.notifications.kafka',
};

const DELIVERED: readonly ChannelType[] = ['rest-hook', 'message', 'kafka'];

/** Why a subscription's channel cannot be delivered, or undefined when it can. */
export function unsupportedChannel(sub: NormalizedSubscription): string | undefined {
  if (sub.options.namedChannel) return undefined;
  if (sub.channel.customType)
    return `channel type '${sub.channel.customType}' is not delivered by this server`;
  if (!DELIVERED.includes(sub.channel.type))
    return `channel type '${sub.channel.type}' is not delivered by this server`;
  return undefined;
}

/** The channel a notification goes out on: Smile named-channel delivery turns it into a Kafka topic. */
export function notificationChannel(sub: NormalizedSubscription): NotificationChannel {
  const named = sub.options.namedChannel;
  return {
    type: named ? 'kafka' : sub.channel.type,
    ...(named
      ? { endpoint: named }
      : sub.channel.endpoint !== undefined
        ? { endpoint: sub.channel.endpoint }
        : {}),
    headers: [...sub.channel.headers],
    ...(sub.channel.payloadMimeType !== undefined ? { payloadMimeType: sub.channel.payloadMimeType } : {}),
  };
}

/** The output topic for a notification; undefined for a channel type no sink delivers. */
export function outputTopicFor(
  n: Pick<Notification, 'channel'>,
  topics: OutputTopics = DEFAULT_OUTPUT_TOPICS,
): string | undefined {
  const t = n.channel.type;
  return t === 'rest-hook' || t === 'message' || t === 'kafka' ? topics[t] : undefined;
}
