/**
 * The message-channel sink over AMQP 0-9-1 (RabbitMQ). A write publishes one notification through
 * a confirm channel and is delivered only once the broker confirms it. The configured broker
 * (RABBITMQ_URL) is our own infrastructure: while it is unreachable writes throw NotConnectedError
 * and `connect()` is the engine's to call again. A broker that an endpoint names itself belongs to
 * the subscriber: failing to reach it is the subscription's failure, and is opened on first use.
 */
import {
  describeError,
  NotConnectedError,
  type Sink,
  type SinkNotification,
  type SinkResult,
} from '../sink.js';
import { amqpSinkConfigSchema, type AmqpSinkConfig, type AmqpSinkConfigInput } from './config.js';
import { AmqpTopologyError, ConfirmPublisher, type PublisherOptions } from './confirm-publisher.js';
import { InvalidAmqpEndpointError, parseAmqpEndpoint, type AmqpTarget } from './endpoint.js';
import { publishOptions } from './properties.js';

export interface AmqpSinkOptions {
  config?: AmqpSinkConfigInput;
  now?: () => number;
}

export class AmqpSink implements Sink {
  readonly name = 'amqp';
  /**
   * Publishes of one subscription issued together keep their order: a subscription always uses the
   * same confirm channel, and a publisher sends strictly in call order.
   */
  readonly orderedWindow = Number.POSITIVE_INFINITY;
  private readonly targets = new Map<string, AmqpTarget>();
  readonly config: AmqpSinkConfig;
  private readonly now: () => number;
  private readonly publisherOptions: PublisherOptions;
  /** The configured broker's publishers, one per slot (`connections`); a slot keeps its subscriptions. */
  private brokers: (ConfirmPublisher | undefined)[] = [];
  private connecting: Promise<void> | undefined;
  /** Brokers named by endpoints, by connection URL. */
  private readonly foreign = new Map<string, Promise<ConfirmPublisher>>();
  private closing: Promise<void> | undefined;

  constructor(options: AmqpSinkOptions = {}) {
    this.config = amqpSinkConfigSchema.parse(options.config ?? {});
    this.now = options.now ?? Date.now;
    this.publisherOptions = {
      window: this.config.confirmWindow,
      confirmTimeoutMs: this.config.confirmTimeoutMs,
      connectTimeoutMs: this.config.connectTimeoutMs,
      heartbeatSeconds: this.config.heartbeatSeconds,
      connectionName: this.config.connectionName,
    };
  }

  /** Opens the configured broker's connection; concurrent calls share one attempt. */
  connect(): Promise<void> {
    if (this.isConnected()) return Promise.resolve();
    this.closing = undefined;
    this.connecting ??= (async () => {
      // Only channels whose connection is gone are opened again: a live one may still hold a
      // subscription's earlier publishes, and its later ones must not overtake them elsewhere.
      const slots = Array.from({ length: this.config.connections }, (_, i) => this.brokers[i]);
      const opened = await Promise.allSettled(
        slots.map((p) =>
          p?.isOpen() ? Promise.resolve(p) : ConfirmPublisher.open(this.config.url, this.publisherOptions),
        ),
      );
      this.brokers = opened.map((r, i) => (r.status === 'fulfilled' ? r.value : slots[i]));
      const failed = opened.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  isConnected(): boolean {
    return this.brokers.length > 0 && this.brokers.every((p) => p?.isOpen() === true);
  }

  async write(notification: SinkNotification): Promise<SinkResult> {
    let target: AmqpTarget;
    try {
      target = this.targetOf(notification.channel.endpoint);
    } catch (err) {
      if (err instanceof InvalidAmqpEndpointError) return { kind: 'permanent', error: err.message };
      throw err;
    }
    const ours = target.connectionUrl === this.config.url;
    let publisher: ConfirmPublisher;
    if (ours) {
      const chosen = this.brokers[channelOf(notification.subscriptionId, this.config.connections)];
      if (chosen === undefined || !chosen.isOpen()) throw new NotConnectedError(this.name);
      publisher = chosen;
    } else {
      try {
        publisher = await this.foreignPublisher(target.connectionUrl);
      } catch (err) {
        return { kind: 'retriable', error: describeError(err) };
      }
    }
    try {
      const check = publisher.ensure(target, this.config.topology, this.config.exchangeType);
      if (check !== undefined) await check;
      const answer = await publisher.publish(
        target.exchange,
        target.routingKey,
        Buffer.from(notification.body ?? '', 'utf8'),
        publishOptions(notification, {
          persistent: this.config.persistent,
          mandatory: this.config.mandatory,
          now: this.now(),
        }),
      );
      if (answer === 'returned') {
        return {
          kind: 'retriable',
          error: `message returned by the broker: no queue bound for ${describeTarget(target)}`,
        };
      }
      return { kind: 'delivered' };
    } catch (err) {
      if (ours && !publisher.isOpen()) throw new NotConnectedError(this.name, err);
      if (err instanceof AmqpTopologyError) return { kind: 'retriable', error: err.message };
      return { kind: 'retriable', error: describeError(err) };
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.connecting?.catch(() => undefined);
      const publishers = [...this.brokers, ...(await settledPublishers(this.foreign))];
      this.brokers = [];
      this.foreign.clear();
      await Promise.all(publishers.map((p) => p?.close()));
    })();
    return this.closing;
  }

  /** Parsed endpoints, bounded: parsing a URL for every message is a good part of its cost. */
  private targetOf(endpoint: string | undefined): AmqpTarget {
    const key = endpoint ?? '';
    let target = this.targets.get(key);
    if (target === undefined) {
      target = parseAmqpEndpoint(endpoint, this.config.url);
      if (this.targets.size >= 10_000) this.targets.clear();
      this.targets.set(key, target);
    }
    return target;
  }

  private async foreignPublisher(url: string): Promise<ConfirmPublisher> {
    const existing = this.foreign.get(url);
    if (existing !== undefined) {
      const publisher = await existing.catch(() => undefined);
      if (publisher?.isOpen()) return publisher;
      // Another write may have started a new connection meanwhile: share it.
      const current = this.foreign.get(url);
      if (current !== undefined && current !== existing) return current;
    }
    const opened = ConfirmPublisher.open(url, this.publisherOptions);
    this.foreign.set(url, opened);
    opened.catch(() => {
      if (this.foreign.get(url) === opened) this.foreign.delete(url);
    });
    return opened;
  }
}

/** A stable channel per subscription (FNV-1a of its id). */
function channelOf(subscriptionId: string, channels: number): number {
  if (channels <= 1) return 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < subscriptionId.length; i++) {
    hash ^= subscriptionId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % channels;
}

function describeTarget(target: AmqpTarget): string {
  return target.exchange === ''
    ? `queue ${target.routingKey}`
    : `exchange ${target.exchange} key ${target.routingKey}`;
}

async function settledPublishers(map: Map<string, Promise<ConfirmPublisher>>): Promise<ConfirmPublisher[]> {
  const results = await Promise.allSettled(map.values());
  return results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
}
