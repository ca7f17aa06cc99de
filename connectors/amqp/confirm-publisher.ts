/**
 * One broker connection with a confirm channel. `publish` resolves once the broker confirms the
 * message (`confirmed`), or reports it `returned` when a mandatory message reached no queue (the
 * broker sends basic.return before the confirm). At most `window` publishes await their confirm;
 * the others wait in one queue and go out strictly in the order `publish` was called, so messages
 * of one subscription published together keep their order on the channel (and in the queue).
 * When the connection drops, every unconfirmed or waiting publish is rejected with a retriable
 * TransportError.
 */
import { connect, type Channel, type ChannelModel, type ConfirmChannel, type Options } from 'amqplib';
import { SubstreamError, TransportError } from '../../state/index.js';
import type { AmqpTarget } from './endpoint.js';
import { encodePublish, FrameBuffer } from './publish-frames.js';

export type PublishAnswer = 'confirmed' | 'returned';

interface InFlight {
  readonly exchange: string;
  readonly routingKey: string;
  readonly content: Buffer;
  readonly options: Options.Publish;
  readonly messageId: string | undefined;
  startedAt: number;
  returned: boolean;
  settled: boolean;
  resolve(answer: PublishAnswer): void;
  reject(err: Error): void;
}

export interface PublisherOptions {
  window: number;
  confirmTimeoutMs: number;
  connectTimeoutMs: number;
  heartbeatSeconds: number;
  connectionName: string;
}

/** The exchange or queue an endpoint names does not exist or cannot be declared. */
export class AmqpTopologyError extends SubstreamError {}

export class ConfirmPublisher {
  private channel: Promise<ConfirmChannel> | undefined;
  /** The confirm channel once open: publishing needs no await then. */
  private ready: ConfirmChannel | undefined;
  /** Its frame writer, when amqplib's internals are as expected (else amqplib encodes every publish). */
  private raw: RawChannel | undefined;
  /** Frames of publishes encoded in this tick, written to the channel together at its end. */
  private readonly frames = new FrameBuffer();
  private flushScheduled = false;
  private admin: Promise<Channel> | undefined;
  private readonly inFlight = new Set<InFlight>();
  /** Publishes waiting for room in the window, the socket to drain, or the channel, in call order. */
  private readonly waiting: InFlight[] = [];
  private draining = false;
  private readonly verified = new Set<string>();
  private readonly verifying = new Map<string, Promise<void>>();
  private open = true;
  private readonly sweeper: NodeJS.Timeout;

  private constructor(
    private readonly model: ChannelModel,
    private readonly options: PublisherOptions,
  ) {
    model.on('error', () => undefined); // 'close' follows with the same error; handled there
    model.on('close', (err?: Error) => {
      this.open = false;
      this.failAll(new TransportError('AMQP connection closed', { retriable: true, cause: err }));
    });
    this.sweeper = setInterval(() => this.expire(), Math.min(1_000, options.confirmTimeoutMs));
    this.sweeper.unref();
    coalesceWrites(model);
  }

  static async open(url: string, options: PublisherOptions): Promise<ConfirmPublisher> {
    const target = new URL(url);
    if (options.heartbeatSeconds > 0 && !target.searchParams.has('heartbeat')) {
      target.searchParams.set('heartbeat', String(options.heartbeatSeconds));
    }
    try {
      const model = await connect(target.href, {
        timeout: options.connectTimeoutMs,
        clientProperties: { connection_name: options.connectionName },
      });
      return new ConfirmPublisher(model, options);
    } catch (cause) {
      throw new TransportError(`cannot connect to AMQP broker ${target.host}`, { retriable: true, cause });
    }
  }

  isOpen(): boolean {
    return this.open;
  }

  /**
   * Checks or declares the exchange or queue of a target, once per connection. Undefined when that
   * is already done (no await on the hot path); concurrent callers share one check, so they go on
   * in the order they came.
   */
  ensure(
    target: AmqpTarget,
    mode: 'none' | 'check' | 'declare',
    exchangeType: string,
  ): Promise<void> | undefined {
    if (mode === 'none') return undefined;
    const key = `${target.exchange}\u0000${target.queue ?? ''}`;
    if (this.verified.has(key)) return undefined;
    let check = this.verifying.get(key);
    if (check === undefined) {
      check = this.verify(target, mode, exchangeType, key).finally(() => this.verifying.delete(key));
      this.verifying.set(key, check);
    }
    return check;
  }

  private async verify(
    target: AmqpTarget,
    mode: 'check' | 'declare',
    exchangeType: string,
    key: string,
  ): Promise<void> {
    const admin = await this.adminChannel();
    try {
      if (target.exchange !== '') {
        if (mode === 'check') await admin.checkExchange(target.exchange);
        else await admin.assertExchange(target.exchange, exchangeType, { durable: true });
      } else if (target.queue !== undefined) {
        if (mode === 'check') await admin.checkQueue(target.queue);
        else await admin.assertQueue(target.queue, { durable: true });
      }
    } catch (cause) {
      this.admin = undefined; // a failed check closes the channel
      if (!this.open) throw new TransportError('AMQP connection closed', { retriable: true, cause });
      const name = target.exchange !== '' ? `exchange ${target.exchange}` : `queue ${target.queue ?? ''}`;
      throw new AmqpTopologyError(`${name} ${mode === 'check' ? 'does not exist' : 'cannot be declared'}`, {
        retriable: true,
        cause,
      });
    }
    this.verified.add(key);
  }

  publish(
    exchange: string,
    routingKey: string,
    content: Buffer,
    options: Options.Publish,
  ): Promise<PublishAnswer> {
    if (!this.open) return Promise.reject(new TransportError('AMQP connection closed', { retriable: true }));
    return new Promise<PublishAnswer>((resolve, reject) => {
      this.waiting.push({
        exchange,
        routingKey,
        content,
        options,
        messageId: options.messageId,
        startedAt: 0,
        returned: false,
        settled: false,
        resolve,
        reject,
      });
      this.pump();
    });
  }

  /** Sends waiting publishes, oldest first, while the window has room and the socket takes more. */
  private pump(): void {
    while (this.waiting.length > 0 && this.inFlight.size < this.options.window && !this.draining) {
      if (!this.open) {
        this.failAll(new TransportError('AMQP connection closed', { retriable: true }));
        return;
      }
      const channel = this.ready;
      if (channel === undefined) {
        // Opened once; the pump goes on when it is (a failure fails the waiting publishes).
        this.confirmChannel().then(
          () => this.pump(),
          (cause: unknown) =>
            this.failAll(
              new TransportError('cannot open an AMQP confirm channel', { retriable: true, cause }),
            ),
        );
        return;
      }
      this.send(channel, this.waiting.shift()!);
    }
  }

  private send(channel: ConfirmChannel, entry: InFlight): void {
    entry.startedAt = Date.now();
    this.inFlight.add(entry);
    const callback = (err: unknown) => {
      if (err)
        this.settle(
          entry,
          new TransportError('publish not confirmed by the broker', { retriable: true, cause: err }),
        );
      else this.settle(entry, entry.returned ? 'returned' : 'confirmed');
    };
    const raw = this.raw;
    if (
      raw !== undefined &&
      encodePublish(
        this.frames,
        raw.number,
        entry.exchange,
        entry.routingKey,
        entry.content,
        entry.options,
        raw.frameMax,
      )
    ) {
      // Its delivery tag is its place on the channel: the callback goes in the same order.
      raw.pushConfirmCallback(callback);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        process.nextTick(() => this.flush());
      }
      return;
    }
    this.flush(); // encoded publishes go first: order on the channel
    try {
      const writable = channel.publish(
        entry.exchange,
        entry.routingKey,
        entry.content,
        entry.options,
        callback,
      );
      if (!writable) this.awaitDrain(channel);
    } catch (err) {
      this.settle(entry, new TransportError('AMQP publish failed', { retriable: true, cause: err }));
    }
  }

  /** Writes the frames encoded so far to the channel, as one chunk. */
  private flush(): void {
    this.flushScheduled = false;
    if (this.frames.size === 0) return;
    const bytes = this.frames.take();
    const channel = this.ready;
    const raw = this.raw;
    // A channel closed meanwhile has failed these publishes' callbacks already.
    if (channel === undefined || raw === undefined) return;
    if (raw.write(bytes) === false) this.awaitDrain(channel);
  }

  private awaitDrain(channel: ConfirmChannel): void {
    if (this.draining) return;
    this.draining = true;
    channel.once('drain', () => {
      this.draining = false;
      this.pump();
    });
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    if (!this.open) return;
    this.open = false;
    try {
      await this.model.close();
    } catch (err) {
      // Closing a connection the broker already dropped: nothing left to release.
      if (!(err instanceof Error)) throw err;
    }
  }

  private confirmChannel(): Promise<ConfirmChannel> {
    this.channel ??= this.model.createConfirmChannel().then((channel) => {
      channel.on('error', () => undefined); // 'close' follows
      channel.on('return', (message) =>
        this.markReturned(message.properties.messageId as string | undefined),
      );
      channel.on('close', () => {
        this.channel = undefined;
        this.ready = undefined;
        this.raw = undefined;
        this.frames.rewind(0);
        this.draining = false;
        this.failAll(new TransportError('AMQP channel closed', { retriable: true }));
      });
      this.ready = channel;
      this.raw = rawChannel(channel);
      return channel;
    });
    this.channel.catch(() => {
      this.channel = undefined; // opened on the next publish
    });
    return this.channel;
  }

  private adminChannel(): Promise<Channel> {
    this.admin ??= this.model.createChannel().then((channel) => {
      channel.on('error', () => undefined);
      channel.on('close', () => {
        this.admin = undefined;
      });
      return channel;
    });
    this.admin.catch(() => {
      this.admin = undefined;
    });
    return this.admin;
  }

  /** The oldest unconfirmed publish with that message id is the one returned (returns come in order). */
  private markReturned(messageId: string | undefined): void {
    for (const entry of this.inFlight) {
      if (!entry.returned && entry.messageId === messageId) {
        entry.returned = true;
        return;
      }
    }
  }

  private settle(entry: InFlight, answer: PublishAnswer | Error): void {
    if (entry.settled) return;
    entry.settled = true;
    this.inFlight.delete(entry);
    if (answer instanceof Error) entry.reject(answer);
    else entry.resolve(answer);
    if (this.waiting.length > 0) this.pump();
  }

  /** Rejects every unconfirmed and every waiting publish: they are the stage's to send again. */
  private failAll(err: Error): void {
    const waiting = this.waiting.splice(0);
    for (const entry of [...this.inFlight]) this.settle(entry, err);
    for (const entry of waiting) this.settle(entry, err);
  }

  private expire(): void {
    const limit = Date.now() - this.options.confirmTimeoutMs;
    for (const entry of [...this.inFlight]) {
      if (entry.startedAt < limit) {
        this.settle(
          entry,
          new TransportError('broker did not confirm the publish in time', { retriable: true }),
        );
      }
    }
  }
}

interface Corkable {
  cork(): void;
  uncork(): void;
}

interface AmqplibMuxer {
  _readIncoming(): void;
}

/**
 * amqplib's writer moves frames from the channels' buffers to the socket one write (one system
 * call, and one read for the broker) per publish. Corking the socket while it runs sends each
 * pass of the writer (up to the socket's high-water mark) in one write. It relies on amqplib
 * internals that its typed API does not show: when they are not there, writes stay as they are.
 */
function coalesceWrites(model: ChannelModel): void {
  const connection = (model as unknown as { connection?: { stream?: unknown; muxer?: unknown } }).connection;
  const stream = connection?.stream as Partial<Corkable> | undefined;
  const muxer = connection?.muxer as Partial<AmqplibMuxer> | undefined;
  if (typeof stream?.cork !== 'function' || typeof stream.uncork !== 'function') return;
  const readIncoming = muxer?._readIncoming;
  if (muxer === undefined || typeof readIncoming !== 'function') return;
  const socket = stream as Corkable;
  muxer._readIncoming = function (this: AmqplibMuxer) {
    socket.cork();
    try {
      readIncoming.call(this);
    } finally {
      process.nextTick(() => socket.uncork());
    }
  };
}

/** What publishing encoded frames needs of an amqplib confirm channel. */
interface RawChannel {
  readonly number: number;
  readonly frameMax: number;
  /** Queues bytes on the channel's writer; false when it is full, undefined when the channel is gone. */
  write(bytes: Buffer): boolean | undefined;
  pushConfirmCallback(callback: (err: unknown) => void): void;
}

interface AmqplibChannelInternals {
  ch?: unknown;
  pushConfirmCallback?: unknown;
  connection?: {
    frameMax?: unknown;
    channels?: unknown;
  };
}

/**
 * The channel's number, the connection's frame size, its per-channel writer and confirm callbacks:
 * amqplib internals its typed API does not show. Undefined when they are not as expected.
 */
function rawChannel(channel: ConfirmChannel): RawChannel | undefined {
  const internals = channel as unknown as AmqplibChannelInternals;
  const number = internals.ch;
  const push = internals.pushConfirmCallback;
  const connection = internals.connection;
  const frameMax = connection?.frameMax;
  const channels = connection?.channels;
  if (
    typeof number !== 'number' ||
    typeof push !== 'function' ||
    typeof frameMax !== 'number' ||
    frameMax < 4096 ||
    !Array.isArray(channels)
  )
    return undefined;
  const slot = (): { channel?: unknown; buffer?: { write?: unknown } } | undefined =>
    (channels as ({ channel?: unknown; buffer?: { write?: unknown } } | null)[])[number] ?? undefined;
  const writer = slot();
  if (writer?.channel !== channel || typeof writer.buffer?.write !== 'function') return undefined;
  return {
    number,
    frameMax,
    write(bytes) {
      const current = slot();
      if (current?.channel !== channel || current.buffer === undefined) return undefined;
      return (current.buffer as { write(chunk: Buffer): boolean }).write(bytes);
    },
    pushConfirmCallback: (callback) => (push as (cb: (err: unknown) => void) => void).call(channel, callback),
  };
}
