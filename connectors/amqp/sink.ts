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
  readonly config: AmqpSinkConfig;
  private readonly now: () => number;
  private readonly publisherOptions: PublisherOptions;
  private broker: ConfirmPublisher | undefined;
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
    this.connecting ??= ConfirmPublisher.open(this.config.url, this.publisherOptions)
      .then((publisher) => {
        this.broker = publisher;
      })
      .finally(() => {
        this.connecting = undefined;
      });
    return this.connecting;
  }

  isConnected(): boolean {
    return this.broker?.isOpen() ?? false;
  }

  async write(notification: SinkNotification): Promise<SinkResult> {
    let target: AmqpTarget;
    try {
      target = parseAmqpEndpoint(notification.channel.endpoint, this.config.url);
    } catch (err) {
      if (err instanceof InvalidAmqpEndpointError) return { kind: 'permanent', error: err.message };
      throw err;
    }
    const ours = target.connectionUrl === this.config.url;
    let publisher: ConfirmPublisher;
    if (ours) {
      if (this.broker === undefined || !this.broker.isOpen()) throw new NotConnectedError(this.name);
      publisher = this.broker;
    } else {
      try {
        publisher = await this.foreignPublisher(target.connectionUrl);
      } catch (err) {
        return { kind: 'retriable', error: describeError(err) };
      }
    }
    try {
      await publisher.ensure(target, this.config.topology, this.config.exchangeType);
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
      const publishers = [this.broker, ...(await settledPublishers(this.foreign))];
      this.broker = undefined;
      this.foreign.clear();
      await Promise.all(publishers.map((p) => p?.close()));
    })();
    return this.closing;
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

function describeTarget(target: AmqpTarget): string {
  return target.exchange === ''
    ? `queue ${target.routingKey}`
    : `exchange ${target.exchange} key ${target.routingKey}`;
}

async function settledPublishers(map: Map<string, Promise<ConfirmPublisher>>): Promise<ConfirmPublisher[]> {
  const results = await Promise.allSettled(map.values());
  return results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
}
