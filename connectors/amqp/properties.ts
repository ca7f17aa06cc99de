/**
 * AMQP message properties for a notification: content type, message id (the notification id, so a
 * consumer drops duplicates), timestamp, type, and headers: the notification's transport properties
 * (eHealth selector properties, Smile custom headers; lists stay AMQP arrays), the subscription's
 * header lines (split at the first colon) and the de-duplication headers.
 */
import type { Options } from 'amqplib';
import type { SinkNotification } from '../sink.js';
import { parseHeaderLines } from '../http/header-lines.js';

export function publishOptions(
  notification: SinkNotification,
  options: { persistent: boolean; mandatory: boolean; now: number },
): Options.Publish {
  const lines = notification.channel.headers;
  const properties = notification.properties;
  // One object literal of one shape per call (a hot path): copying only when there is something to copy.
  const headers: Record<string, unknown> =
    lines.length === 0 && (properties === undefined || isEmpty(properties))
      ? {}
      : Object.assign({}, headerLines(lines), properties);
  headers['x-substream-subscription-id'] = notification.subscriptionId;
  if (notification.tenant !== undefined) headers['x-substream-tenant'] = notification.tenant;
  headers['x-substream-event-number'] = notification.eventNumber;
  const contentType = notification.contentType ?? notification.channel.payloadMimeType ?? undefined;
  return {
    contentType,
    contentEncoding: 'utf-8',
    messageId: notification.notificationId,
    timestamp: Math.floor(options.now / 1000),
    type: notification.type,
    appId: 'substream',
    headers,
    persistent: options.persistent,
    mandatory: options.mandatory,
  };
}

function isEmpty(record: object): boolean {
  for (const key in record) if (Object.hasOwn(record, key)) return false;
  return true;
}

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});
const parsedLines = new Map<string, Readonly<Record<string, string>>>();

/** The subscription's header lines, parsed once per distinct set (a hot path: one call per message). */
function headerLines(lines: readonly string[]): Readonly<Record<string, string>> {
  if (lines.length === 0) return NO_HEADERS;
  const key = lines.join('\n');
  let headers = parsedLines.get(key);
  if (headers === undefined) {
    headers = Object.freeze(parseHeaderLines(lines).headers);
    if (parsedLines.size >= 10_000) parsedLines.clear();
    parsedLines.set(key, headers);
  }
  return headers;
}
