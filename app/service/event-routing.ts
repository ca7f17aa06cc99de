import { request } from 'undici';
import type { NotifyProcessor } from '../../processors/index.js';
import { partitionFor } from '../../topology/index.js';
import type { KeyOwner } from '../../topology/index.js';

/** What answers `$events` for a partition run in this process: its notify stage, or a stream thread's. */
export type EventsSource = Pick<NotifyProcessor, 'eventsOf'>;

/**
 * Where `$events` of a subscription is answered. Retained events live in the notify stage's store
 * of the subscription's partition, on the one instance that runs it; other instances route the
 * request there, as Kafka Streams interactive queries do: the owner is found in the group's
 * instance metadata (each member publishes its HTTP endpoint through the partition assignor).
 *
 * Routing was chosen over replicating the events to every instance (a compacted topic read as a
 * global table): retained events carry full resources, and a global table keeps every one of them
 * in the memory of every instance, so memory would grow with events × instances, while the owner
 * already has them on disk in a changelogged store that moves with the partition.
 */
export type EventsLocation =
  | { kind: 'local'; notify: EventsSource }
  | { kind: 'remote'; baseUrl: string }
  | { kind: 'unavailable'; reason: string };

export interface EventsLocator {
  locate(subscriptionKey: string): Promise<EventsLocation>;
}

export interface EventsRouterOptions {
  /** The notify stage of each partition this thread runs now (filled in by the topology of its current core). */
  notifyByPartition: () => ReadonlyMap<number, NotifyProcessor>;
  /** Partitions of the notify stage's inputs (matches and delivery outcomes). */
  partitions: number;
  /** A topic read by the notify stage, whose partition owner is the subscription's owner. */
  ownerTopic: string;
  ownerOf: (topic: string, key: string) => Promise<KeyOwner>;
  /** Scheme of the endpoints in the instance metadata (host:port only). */
  scheme: 'http' | 'https';
  /** The other stream threads of this process (PROCESSOR_THREADS): they share its endpoint. */
  siblings?: (partition: number) => Promise<EventsSource | undefined>;
}

export class EventsRouter implements EventsLocator {
  constructor(private readonly o: EventsRouterOptions) {}

  async locate(subscriptionKey: string): Promise<EventsLocation> {
    const partition = partitionFor(Buffer.from(subscriptionKey), this.o.partitions);
    const notify = this.o.notifyByPartition().get(partition);
    if (notify) return { kind: 'local', notify };
    const sibling = await this.o.siblings?.(partition);
    if (sibling) return { kind: 'local', notify: sibling };
    const owner = await this.o.ownerOf(this.o.ownerTopic, subscriptionKey);
    if (owner.local) {
      return { kind: 'unavailable', reason: `partition ${partition} is being restored on this instance` };
    }
    if (!owner.endpoint) {
      return {
        kind: 'unavailable',
        reason: `no instance with a known address owns partition ${partition} (rebalancing, or ADVERTISED_URL unset there)`,
      };
    }
    return { kind: 'remote', baseUrl: `${this.o.scheme}://${owner.endpoint}` };
  }
}

/** The header that marks a routed request: its receiver answers or fails, never routes again. */
export const FORWARDED_HEADER = 'x-substream-forwarded';

export interface ForwardedAnswer {
  status: number;
  body: unknown;
}

/** Sends the same `$events` request to the owner, with the caller's credentials and tenant. */
export async function forwardEvents(
  baseUrl: string,
  path: string,
  headers: { authorization?: string; tenant?: string },
  timeoutMs = 10_000,
): Promise<ForwardedAnswer> {
  const res = await request(`${baseUrl}${path}`, {
    method: 'GET',
    headers: {
      accept: 'application/fhir+json',
      [FORWARDED_HEADER]: '1',
      ...(headers.authorization ? { authorization: headers.authorization } : {}),
      ...(headers.tenant ? { 'x-tenant-id': headers.tenant } : {}),
    },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const text = await res.body.text();
  let body: unknown;
  try {
    body = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    body = {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'exception', diagnostics: text.slice(0, 500) }],
    };
  }
  return { status: res.statusCode, body };
}

/**
 * The endpoint this instance publishes in the group's instance metadata (host:port): from
 * ADVERTISED_URL, else HOST:PORT (127.0.0.1 for 0.0.0.0); none when the port is not fixed (0).
 * The streams runtime applies it to every group this process joins; only the processor's is read.
 */
export function queryEndpoint(config: { ADVERTISED_URL?: string | undefined; HOST: string; PORT: number }): {
  endpoint?: string;
} {
  if (config.ADVERTISED_URL) {
    const url = new URL(config.ADVERTISED_URL);
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    return { endpoint: `${url.hostname}:${port}` };
  }
  if (config.PORT === 0) return {};
  return { endpoint: `${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${config.PORT}` };
}
