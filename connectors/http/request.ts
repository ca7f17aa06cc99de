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
/** Only on a tenant's subscription: two tenants may each have a subscription of the same id. */
export const TENANT_HEADER = 'x-substream-tenant';

export interface HttpRequest {
  url: URL;
  method: 'POST' | 'PUT' | 'DELETE';
  headers: Record<string, string>;
  body: string;
}

/** The notification cannot become a request (bad endpoint): retrying will not help. */
export class InvalidEndpointError extends SubstreamError {}

/**
 * What every request of one channel shares (endpoint, path, the subscription's header lines), worked
 * out once: parsing the URL and the header lines for every delivery is a large part of its cost.
 */
export interface RequestTarget {
  url: URL;
  /** `scheme://host:port`, the connection pool's key. */
  origin: string;
  /** Path and query. */
  path: string;
  headers: Readonly<Record<string, string>>;
}

export function targetOf(notification: SinkNotification, userAgent: string): RequestTarget {
  const url = endpointUrl(notification.channel.endpoint, notification.path);
  const { headers } = parseHeaderLines(notification.channel.headers);
  headers['user-agent'] = userAgent;
  return { url, origin: url.origin, path: `${url.pathname}${url.search}`, headers };
}

/** Request targets by channel, bounded: a burst of distinct channels just starts the cache over. */
export class RequestTargets {
  private readonly cache = new Map<string, RequestTarget>();

  constructor(
    private readonly userAgent: string,
    private readonly limit = 10_000,
  ) {}

  /** Throws InvalidEndpointError (not cached: such notifications are dead-lettered, not repeated). */
  of(notification: SinkNotification): RequestTarget {
    const channel = notification.channel;
    const key = `${channel.endpoint ?? ''}\n${notification.path ?? ''}\n${channel.headers.join('\n')}`;
    let target = this.cache.get(key);
    if (target === undefined) {
      target = targetOf(notification, this.userAgent);
      if (this.cache.size >= this.limit) this.cache.clear();
      this.cache.set(key, target);
    }
    return target;
  }
}

/** The headers of one request: the target's, then the notification's own and the signature. */
export function requestHeaders(
  target: RequestTarget,
  notification: SinkNotification,
  body: string,
  options: { secret?: string | undefined; nowSeconds: number },
): Record<string, string> {
  const headers: Record<string, string> = { ...target.headers };
  const contentType = notification.contentType ?? notification.channel.payloadMimeType;
  if (notification.body !== null && contentType !== undefined && !('content-type' in target.headers)) {
    headers['content-type'] = contentType;
  }
  headers[NOTIFICATION_ID_HEADER] = notification.notificationId;
  headers[SUBSCRIPTION_ID_HEADER] = notification.subscriptionId;
  if (notification.tenant !== undefined) headers[TENANT_HEADER] = notification.tenant;
  headers[EVENT_NUMBER_HEADER] = String(notification.eventNumber);
  if (options.secret !== undefined) {
    headers[TIMESTAMP_HEADER] = String(options.nowSeconds);
    headers[SIGNATURE_HEADER] = signPayload(options.secret, options.nowSeconds, body);
  }
  return headers;
}

export function buildRequest(
  notification: SinkNotification,
  options: { userAgent: string; secret?: string; nowSeconds: number },
): HttpRequest {
  const target = targetOf(notification, options.userAgent);
  const body = notification.body ?? '';
  return {
    url: target.url,
    method: notification.method ?? 'POST',
    headers: requestHeaders(target, notification, body, options),
    body,
  };
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
