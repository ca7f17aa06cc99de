/**
 * The Kafka named-channel sink: produces each notification to the external topic its endpoint names
 * (Smile CDR's subscription-named-channel-delivery). Writes arriving together are gathered into one
 * produce request; each write resolves when the broker acknowledges its record (acks = all).
 */
// Before kafkajs: it runs with the native CRC-32C and the codec replacements (docs/kafka-codec.md).
import '../kafka/native-crc.js';
import kafkajs, {
  Kafka,
  logLevel,
  Partitioners,
  type Message,
  type Producer,
  type SASLOptions,
  type TopicMessages,
} from 'kafkajs';
import {
  describeError,
  NotConnectedError,
  type Sink,
  type SinkNotification,
  type SinkResult,
} from '../sink.js';
import {
  kafkaExternalSinkConfigSchema,
  type KafkaExternalSinkConfig,
  type KafkaExternalSinkConfigInput,
} from './config.js';
import { externalTopic, InvalidTopicError, toRecord } from './record.js';
import type { KafkaLogging } from '../kafka/index.js';

interface Waiting {
  topic: string;
  message: Message;
  resolve(result: SinkResult): void;
  reject(err: unknown): void;
}

export interface KafkaExternalSinkOptions {
  config?: KafkaExternalSinkConfigInput;
  /** Where kafkajs logs go (default: nowhere; delivery failures reach the stage as results). */
  logging?: KafkaLogging;
}

export class KafkaExternalSink implements Sink {
  readonly name = 'kafka';
  /**
   * Writes issued together keep their order: one idempotent producer with one request in flight,
   * fed strictly in call order.
   */
  readonly orderedWindow = Number.POSITIVE_INFINITY;
  readonly config: KafkaExternalSinkConfig;
  private readonly kafka: Kafka;
  private producer: Producer | undefined;
  private connected = false;
  private connecting: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private waiting: Waiting[] = [];
  private sending = false;

  constructor(options: KafkaExternalSinkOptions = {}) {
    this.config = kafkaExternalSinkConfigSchema.parse(options.config ?? {});
    this.kafka = new Kafka({
      clientId: this.config.clientId,
      brokers: this.config.brokers,
      ssl: this.config.ssl,
      ...(this.config.sasl === undefined ? {} : { sasl: this.config.sasl as SASLOptions }),
      requestTimeout: this.config.requestTimeoutMs,
      retry: { retries: this.config.retries },
      logLevel: options.logging?.logLevel ?? logLevel.NOTHING,
      ...(options.logging?.logCreator ? { logCreator: options.logging.logCreator } : {}),
    });
  }

  connect(): Promise<void> {
    if (this.connected) return Promise.resolve();
    this.closing = undefined;
    this.connecting ??= (async () => {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        // Keys are placed as Java clients place them (murmur2), named to silence kafkajs's warning.
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      producer.on(producer.events.DISCONNECT, () => {
        if (this.producer === producer) this.connected = false;
      });
      try {
        await producer.connect();
      } catch (cause) {
        throw new NotConnectedError(this.name, cause);
      }
      this.producer = producer;
      this.connected = true;
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  isConnected(): boolean {
    return this.connected;
  }

  async write(notification: SinkNotification): Promise<SinkResult> {
    if (!this.connected) throw new NotConnectedError(this.name);
    let topic: string;
    try {
      topic = externalTopic(notification);
    } catch (err) {
      if (err instanceof InvalidTopicError) return { kind: 'permanent', error: err.message };
      throw err;
    }
    const message = toRecord(notification, this.config.key);
    return new Promise<SinkResult>((resolve, reject) => {
      this.waiting.push({ topic, message, resolve, reject });
      if (!this.sending) this.sendWaiting();
    });
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.connecting?.catch(() => undefined);
      const producer = this.producer;
      this.producer = undefined;
      this.connected = false;
      await producer?.disconnect();
    })();
    return this.closing;
  }

  /** Sends what has gathered as one request, one request at a time, until nothing waits. */
  private sendWaiting(): void {
    this.sending = true;
    setImmediate(() => {
      void (async () => {
        while (this.waiting.length > 0) {
          const batch = this.waiting.splice(0, this.config.maxBatchMessages);
          await this.sendBatch(batch);
        }
        this.sending = false;
      })();
    });
  }

  private async sendBatch(batch: Waiting[]): Promise<void> {
    const producer = this.producer;
    if (producer === undefined || !this.connected) {
      for (const w of batch) w.reject(new NotConnectedError(this.name));
      return;
    }
    const byTopic = new Map<string, Message[]>();
    for (const w of batch) byTopic.set(w.topic, [...(byTopic.get(w.topic) ?? []), w.message]);
    const topicMessages: TopicMessages[] = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
    try {
      await producer.sendBatch({ topicMessages, acks: -1 });
      for (const w of batch) w.resolve({ kind: 'delivered' });
    } catch (err) {
      // The cluster is ours: losing it is not the subscriber's failure (the client reconnects itself).
      if (!this.connected || causes(err).some(isConnectionFailure)) {
        for (const w of batch) w.reject(new NotConnectedError(this.name, err));
        return;
      }
      const result: SinkResult = isPermanent(err)
        ? { kind: 'permanent', error: describeError(err) }
        : { kind: 'retriable', error: describeError(err) };
      for (const w of batch) w.resolve(result);
    }
  }
}

/** A broker refusal that will not change on retry (authorisation, record too large, invalid topic). */
const PERMANENT_TYPES = new Set([
  'TOPIC_AUTHORIZATION_FAILED',
  'MESSAGE_TOO_LARGE',
  'INVALID_TOPIC_EXCEPTION',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CLUSTER_AUTHORIZATION_FAILED',
]);

function isPermanent(err: unknown): boolean {
  return causes(err).some((e) => {
    const type = (e as { type?: unknown }).type;
    return typeof type === 'string' && PERMANENT_TYPES.has(type);
  });
}

// The error classes are not named exports of kafkajs under ES modules; the default export has them.
const { KafkaJSBrokerNotFound, KafkaJSConnectionError, KafkaJSRequestTimeoutError } = kafkajs;

function isConnectionFailure(err: Error): boolean {
  return (
    err instanceof KafkaJSConnectionError ||
    err instanceof KafkaJSBrokerNotFound ||
    err instanceof KafkaJSRequestTimeoutError
  );
}

/** The error and what it wraps (kafkajs: retries exceeded → cause, partial failures → originalError). */
function causes(err: unknown): Error[] {
  const chain: Error[] = [];
  for (let current = err; current instanceof Error && chain.length < 5;) {
    chain.push(current);
    const wrapped = current as { cause?: unknown; originalError?: unknown };
    current = wrapped.cause ?? wrapped.originalError;
  }
  return chain;
}
