import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Codec, Headers, MetricsPort, TopicSpec } from '../state/index.js';
import { codecs } from '../state/index.js';
import type { Topology } from './builder.js';
import type { StreamsConfigInput } from './config.js';
import { EmbeddedTransport } from './embedded/transport.js';
import { partitionFor } from './partitioner.js';
import type { Clock } from './processor.js';
import { systemClock } from './processor.js';
import { KafkaStreams } from './runtime/streams.js';

export interface TestDriverOptions {
  topology: Topology;
  /** Input topics to create, with their partition counts (default 1 each). */
  topics: readonly TopicSpec[];
  config?: Partial<StreamsConfigInput>;
  clock?: Clock;
  metrics?: MetricsPort;
  /** Where the log and the stores live; default a fresh temporary directory removed on close. */
  directory?: string;
}

export interface OutputRecord<V> {
  key: string | null;
  value: V | null;
  partition: number;
  offset: string;
  headers: Headers;
  timestamp: number;
}

/**
 * A topology without a broker, as Kafka Streams' TopologyTestDriver: pipe input, wait for the
 * topology to settle, read output. It runs the real runtime over the embedded durable log.
 */
export class TopologyTestDriver {
  private readonly read = new Map<string, bigint[]>();

  private constructor(
    readonly streams: KafkaStreams,
    readonly transport: EmbeddedTransport,
    private readonly directory: string,
    private readonly ownsDirectory: boolean,
  ) {}

  static async create(options: TestDriverOptions): Promise<TopologyTestDriver> {
    const owns = options.directory === undefined;
    const directory = options.directory ?? (await mkdtemp(join(tmpdir(), 'substream-driver-')));
    const transport = await EmbeddedTransport.open(join(directory, 'log'));
    await transport.admin.ensureTopics(options.topics);
    const streams = new KafkaStreams({
      topology: options.topology,
      transport,
      config: {
        applicationId: 'test',
        stateDir: join(directory, 'state'),
        commitIntervalMs: 0,
        ...options.config,
      },
      clock: options.clock ?? systemClock,
      ...(options.metrics ? { metrics: options.metrics } : {}),
    });
    await streams.start();
    return new TopologyTestDriver(streams, transport, directory, owns);
  }

  /** Appends one record to an input topic, in the partition Kafka would pick for its key. */
  async pipeInput<V>(
    topic: string,
    key: string | null,
    value: V | null,
    options: { codec?: Codec<V>; timestamp?: number; headers?: Headers; partition?: number } = {},
  ): Promise<void> {
    const codec = options.codec ?? codecs.json<V>();
    const count = (await this.transport.admin.partitionCount(topic)) ?? 1;
    const keyBytes = key === null ? null : Buffer.from(key);
    await (
      await this.transport.producer()
    ).send([
      {
        topic,
        partition: options.partition ?? (keyBytes === null ? 0 : partitionFor(keyBytes, count)),
        key: keyBytes,
        value: value === null ? null : codec.encode(value),
        headers: options.headers ?? {},
        timestamp: options.timestamp ?? Date.now(),
      },
    ]);
  }

  /** Appends raw bytes (for poison records). */
  async pipeRaw(topic: string, key: string | null, value: Buffer, partition = 0): Promise<void> {
    await (
      await this.transport.producer()
    ).send([
      {
        topic,
        partition,
        key: key === null ? null : Buffer.from(key),
        value,
        headers: {},
        timestamp: Date.now(),
      },
    ]);
  }

  /** Resolves once every input record has been processed and committed. */
  async settle(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.streams.state === 'failed') throw this.streams.error;
      if (await this.idle()) return;
      if (Date.now() > deadline) throw new Error('Topology did not settle in time');
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Output records not read before, in partition then offset order. */
  async readOutput<V>(topic: string, codec: Codec<V> = codecs.json<V>()): Promise<OutputRecord<V>[]> {
    const ends = await this.transport.admin.endOffsets(topic);
    const positions = this.read.get(topic) ?? [];
    const result: OutputRecord<V>[] = [];
    for (const [partition, end] of ends) {
      const from = positions[partition] ?? 0n;
      const records = await this.transport.read(topic, partition, from, Number(BigInt(end) - from));
      for (const r of records)
        result.push({
          key: r.key?.toString('utf8') ?? null,
          value: r.value === null ? null : codec.decode(r.value),
          partition,
          offset: r.offset,
          headers: r.headers,
          timestamp: r.timestamp,
        });
      positions[partition] = BigInt(end);
    }
    this.read.set(topic, positions);
    return result;
  }

  async close(): Promise<void> {
    await this.streams.stop();
    await this.transport.close();
    if (this.ownsDirectory) await rm(this.directory, { recursive: true, force: true });
  }

  private async idle(): Promise<boolean> {
    const groupId = this.streams.config.applicationId;
    const members = await this.transport.groupMembers(groupId);
    for (const { topic, partition } of members[0]?.assignment ?? []) {
      const end = (await this.transport.admin.endOffsets(topic)).get(partition) ?? '0';
      const committed = await this.transport.committed(groupId, topic, partition);
      if (committed < BigInt(end)) return false;
    }
    return true;
  }
}
