/**
 * The Kafka record for a named-channel notification: the topic from the endpoint, the key, the body
 * as value, and headers: the notification's custom headers with list values unrolled into one header
 * per element (as Smile CDR does with collections), the subscription's header lines (split at the
 * first colon), the content type and the de-duplication headers.
 */
import type { IHeaders, Message } from 'kafkajs';
import { SubstreamError } from '../../state/index.js';
import type { SinkNotification } from '../sink.js';
import { parseHeaderLines } from '../http/header-lines.js';

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

export class InvalidTopicError extends SubstreamError {}

export function externalTopic(notification: SinkNotification): string {
  const topic = notification.channel.endpoint?.trim() ?? '';
  if (!TOPIC_NAME.test(topic) || topic === '.' || topic === '..') {
    throw new InvalidTopicError(`named channel "${topic.slice(0, 60)}" is not a valid Kafka topic name`);
  }
  return topic;
}

export function toRecord(notification: SinkNotification, key: 'subscription' | 'focus'): Message {
  // kafkajs writes each element of an array value as its own header with the same name.
  const headers: IHeaders = {
    ...parseHeaderLines(notification.channel.headers).headers,
    ...(notification.properties ?? {}),
  };
  const contentType = notification.contentType ?? notification.channel.payloadMimeType;
  if (contentType !== undefined && contentType !== null) headers['content-type'] = contentType;
  headers['x-substream-notification-id'] = notification.notificationId;
  headers['x-substream-subscription-id'] = notification.subscriptionId;
  if (notification.tenant !== undefined) headers['x-substream-tenant'] = notification.tenant;
  headers['x-substream-event-number'] = String(notification.eventNumber);
  // A tenant's subscription is keyed after its (percent-encoded) tenant, so that two tenants'
  // subscriptions of one id stay apart on a shared topic, compacted or not.
  const subscriptionKey =
    notification.tenant === undefined || notification.tenant === ''
      ? notification.subscriptionId
      : `${encodeURIComponent(notification.tenant)}/${notification.subscriptionId}`;
  return {
    key: key === 'focus' ? (notification.collapseKey ?? subscriptionKey) : subscriptionKey,
    value: notification.body ?? '',
    headers,
  };
}
