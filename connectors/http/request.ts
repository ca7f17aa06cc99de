/**
 * Builds the HTTP request for a notification: method and URL (the notification's `path` appended
 * to the endpoint, as classic R4 rest-hook PUTs to [endpoint]/[type]/[id]), the subscription's
 * header lines, Content-Type, de-duplication headers and the optional signature.
 */
import { SubstreamError } from '../../state/index.js';
import type { SinkNotification } from '../sink.js';
import { parseHeaderLines } from './header-lines.js';
import { SIGNATURE_HEADER, signPayload, TIMESTAMP_HEADER } from './signature.js';

export const NOTIFICATION_ID_HEADER = 'x-substream-notification-id';
export const SUBSCRIPTION_ID_HEADER = 'x-substream-subscription-id';
export const EVENT_NUMBER_HEADER = 'x-substream-event-number';

export interface HttpRequest {
  url: URL;
  method: 'POST' | 'PUT' | 'DELETE';
  headers: Record<string, string>;
  body: string;
}

/** The notification cannot become a request (bad endpoint): retrying will not help. */
export class InvalidEndpointError extends SubstreamError {}

export function buildRequest(
  notification: SinkNotification,
  options: { userAgent: string; secret?: string; nowSeconds: number },
): HttpRequest {
  const url = endpointUrl(notification.channel.endpoint, notification.path);
  const { headers } = parseHeaderLines(notification.channel.headers);
  const body = notification.body ?? '';
  const contentType = notification.contentType ?? notification.channel.payloadMimeType;
  if (notification.body !== null && contentType !== undefined && !('content-type' in headers)) {
    headers['content-type'] = contentType;
  }
  headers['user-agent'] = options.userAgent;
  headers[NOTIFICATION_ID_HEADER] = notification.notificationId;
  headers[SUBSCRIPTION_ID_HEADER] = notification.subscriptionId;
  headers[EVENT_NUMBER_HEADER] = String(notification.eventNumber);
  if (options.secret !== undefined) {
    headers[TIMESTAMP_HEADER] = String(options.nowSeconds);
    headers[SIGNATURE_HEADER] = signPayload(options.secret, options.nowSeconds, body);
  }
  return { url, method: notification.method ?? 'POST', headers, body };
}

function endpointUrl(endpoint: string | undefined, path: string | undefined): URL {
  if (endpoint === undefined || endpoint === '')
    throw new InvalidEndpointError('rest-hook subscription has no endpoint');
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch (cause) {
    throw new InvalidEndpointError('rest-hook endpoint is not a URL', { cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidEndpointError(`rest-hook endpoint scheme ${url.protocol} is not http or https`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new InvalidEndpointError('rest-hook endpoint carries credentials; use a header instead');
  }
  if (path !== undefined && path !== '') {
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
  }
  return url;
}
