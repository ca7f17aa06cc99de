/**
 * The streams instance restarts itself after retriable failures (the broker went away, a consumer
 * crashed) and ends in `failed` only on the others. The embedded log stands in for the broker;
 * a wrapper makes its producer or consumer fail on demand.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type {
  GroupConsumer,
  GroupConsumerOptions,
  LogProducer,
  MetricsPort,
  Transport,
} from '../../state/index.js';
import { codecs, ConfigError, TransportError } from '../../state/index.js';
import type { Processor, StreamsState, Topology } from '../../topology/index.js';
import { EmbeddedTransport, KafkaStreams, TopologyBuilder } from '../../topology/index.js';
import { countTopology } from '../fakes/count-topology.js';
import { waitFor } from '../support/infra.js';

/** What kafkajs throws when it gave up reconnecting to a broker that went away. */
function brokerGone(): Error {
  const connection = Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092'), {
    name: 'KafkaJSConnectionError',
    retriable: true,
    code: 'ECONNREFUSED',
  });
  return Object.assign(new Error(connection.message, { cause: connection }), {
    name: 'KafkaJSNumberOfRetriesExceeded',
    retriable: false,
  });
}

/** The embedded log, with producers that fail while `producerFailures` lasts and consumers to crash. */
class FlakyTransport implements Transport {
  producerFailures: (() => unknown)[] = [];
  /** Sends that fail (the broker went away while they were under way), one each. */
  sendFailures: (() => unknown)[] = [];
  readonly consumers: GroupConsumerOptions[] = [];

  constructor(readonly inner: EmbeddedTransport) {}

  get admin() {
    return this.inner.admin;
  }
  async producer(): Promise<LogProducer> {
    const failure = this.producerFailures.shift();
    if (failure !== undefined) throw failure();
    const producer = await this.inner.producer();
    return {
      send: async (records) => {
        const sendFailure = this.sendFailures.shift();
        if (sendFailure !== undefined) throw sendFailure();
        return producer.send(records);
      },
      transaction: () => producer.transaction(),
      close: () => producer.close(),
    };
  }
  async groupConsumer(options: GroupConsumerOptions): Promise<GroupConsumer> {
    this.consumers.push(options);
    return this.inner.groupConsumer(options);
  }
  tail: Transport['tail'] = (options) => this.inner.tail(options);
  groupMembers: Transport['groupMembers'] = (groupId) => this.inner.groupMembers(groupId);
  close = (): Promise<void> => this.inner.close();

  /** The latest consumer stops for good with `error`, as kafkajs reports a crash. */
  crash(error: unknown): void {
    this.consumers.at(-1)!.handlers.failed(error);
  }
}

function countingMetrics(): MetricsPort & { restarts: () => number } {
  let restarts = 0;
  return {
    counter: (name) => ({
      inc: (_labels, value = 1) => {
        if (name === 'substream_streams_restarts_total') restarts += value;
      },
    }),
    gauge: () => ({ set: () => undefined }),
    restarts: () => restarts,
  };
}

let directory = '';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await rm(directory, { recursive: true, force: true });
});

/** Emits each value the first time it is seen (a stateful step that drops duplicates, as versions does). */
function dedupTopology(): Topology {
  const dedup = (): Processor<string, string> => ({
    async process(record, context) {
      const seen = context.store<boolean>('seen');
      if ((await seen.get(record.value)) === true) return;
      await seen.put(record.value, true);
      await context.forward({
        ...record,
        value: JSON.stringify({ key: record.key, count: 1, value: record.value }),
      });
    },
  });
  return new TopologyBuilder()
    .source('input', { topic: 'in', value: codecs.string })
    .store('seen', { value: codecs.json<boolean>() })
    .processor('dedup', { parents: ['input'], stores: ['seen'], processor: dedup })
    .sink('output', { parents: ['dedup'], topic: 'out', value: codecs.string })
    .build();
}

async function setUp(config: Record<string, unknown> = {}, topology?: Topology) {
  directory = await mkdtemp(join(tmpdir(), 'restart-'));
  const inner = await EmbeddedTransport.open(join(directory, 'log'));
  await inner.admin.ensureTopics([
    { topic: 'in', partitions: 2 },
    { topic: 'out', partitions: 2 },
  ]);
  const transport = new FlakyTransport(inner);
  const metrics = countingMetrics();
  const streams = new KafkaStreams({
    topology: topology ?? countTopology({ input: 'in', output: 'out' }),
    transport,
    metrics,
    config: {
      applicationId: 'restart',
      stateDir: join(directory, 'state'),
      commitIntervalMs: 0,
      restartBackoffMs: 10,
      restartBackoffMaxMs: 40,
      ...config,
    },
  });
  const states: StreamsState[] = [];
  streams.onStateChange((state) => states.push(state));
  cleanups.push(async () => {
    await streams.stop();
    await inner.close();
  });
  const send = async (from: number, count: number) => {
    const producer = await inner.producer();
    await producer.send(
      Array.from({ length: count }, (_, i) => ({
        topic: 'in',
        partition: (from + i) % 2,
        key: Buffer.from(`k${(from + i) % 4}`),
        value: Buffer.from(`v${from + i}`),
      })),
    );
    await producer.close();
  };
  /** The values counted so far and the highest count per key. */
  const output = async () => {
    const values = new Set<string>();
    const counts = new Map<string, number>();
    for (const [partition, end] of await inner.admin.endOffsets('out')) {
      for (const record of await inner.read('out', partition, 0n, Number(end))) {
        const { key, count, value } = codecs
          .json<{ key: string; count: number; value: string }>()
          .decode(record.value!);
        values.add(value);
        counts.set(key, Math.max(counts.get(key) ?? 0, count));
      }
    }
    return { values, counts };
  };
  return { streams, transport, metrics, states, send, output };
}

describe('restart after a failure', () => {
  it('a consumer crash on a lost broker restarts the instance; counting goes on without a loss', async () => {
    const { streams, transport, metrics, states, send, output } = await setUp();
    await streams.start();
    await send(0, 40);
    await waitFor(async () => ((await output()).values.size === 40 ? true : undefined), { what: 'first 40' });

    transport.producerFailures = [brokerGone, brokerGone];
    transport.crash(new TransportError('Consumer of group restart stopped', { cause: brokerGone() }));
    expect(streams.state).toBe('restarting');
    await waitFor(() => (streams.state === 'running' ? true : undefined), { what: 'running again' });
    await send(40, 40);
    const { values, counts } = await waitFor(
      async () => {
        const seen = await output();
        return seen.values.size === 80 ? seen : undefined;
      },
      { what: 'all 80 counted' },
    );
    expect(values.size).toBe(80);
    for (const key of ['k0', 'k1', 'k2', 'k3']) expect(counts.get(key)).toBeGreaterThanOrEqual(20);
    // The crash, then two refused producers: three restarts, never failed.
    expect(metrics.restarts()).toBe(3);
    expect(states).not.toContain('failed');
    expect(states.filter((s) => s === 'running').length).toBe(2);
  });

  it('at_least_once: a send lost with the broker does not leave the stores ahead of the outputs', async () => {
    // The stores were flushed before the send failed: kept as they are, the step would take the
    // records read again for duplicates and drop them, and their outputs would never be written.
    const { streams, transport, states, send, output } = await setUp({}, dedupTopology());
    await streams.start();
    await send(0, 20);
    await waitFor(async () => ((await output()).values.size === 20 ? true : undefined), { what: 'first 20' });
    transport.sendFailures = [brokerGone];
    await send(20, 20);
    await waitFor(() => (states.includes('restarting') ? true : undefined), { what: 'a restart' });
    await send(40, 20);
    const { values } = await waitFor(
      async () => {
        const seen = await output();
        return seen.values.size === 60 && streams.state === 'running' ? seen : undefined;
      },
      { what: 'all 60 emitted', timeoutMs: 10_000 },
    );
    expect(values.size).toBe(60);
  });

  it('a first start retries while the broker cannot be reached', async () => {
    const { streams, transport, metrics, states } = await setUp();
    transport.producerFailures = [brokerGone, brokerGone, brokerGone];
    await streams.start();
    expect(streams.state).toBe('running');
    expect(metrics.restarts()).toBe(3);
    expect(states.slice(0, 3)).toEqual(['starting', 'restarting', 'running']);
  });

  it('refused credentials end the instance in failed', async () => {
    const { streams, transport } = await setUp();
    const refused = () =>
      Object.assign(new Error('SASL PLAIN authentication failed'), {
        name: 'KafkaJSSASLAuthenticationError',
        retriable: true,
      });
    transport.producerFailures = [refused];
    await expect(streams.start()).rejects.toThrow('authentication failed');
    expect(streams.state).toBe('failed');
  });

  it('bad configuration ends the instance in failed while running', async () => {
    const { streams, transport, metrics } = await setUp();
    await streams.start();
    transport.crash(new ConfigError([{ setting: 'topology.input', message: 'no such topic' }]));
    await waitFor(() => (streams.state === 'failed' ? true : undefined), { what: 'failed' });
    expect(streams.error).toBeInstanceOf(ConfigError);
    expect(metrics.restarts()).toBe(0);
  });

  it('a first start still failing after startTimeoutMs ends in failed', async () => {
    const { streams, transport } = await setUp({ startTimeoutMs: 50 });
    transport.producerFailures = Array.from({ length: 1000 }, () => brokerGone);
    await expect(streams.start()).rejects.toThrow('ECONNREFUSED');
    expect(streams.state).toBe('failed');
  });

  it('stop() during the back-off stops at once', async () => {
    const { streams, transport } = await setUp({ restartBackoffMs: 60_000, restartBackoffMaxMs: 60_000 });
    await streams.start();
    transport.crash(brokerGone());
    await waitFor(() => (streams.state === 'restarting' ? true : undefined), { what: 'restarting' });
    // The test's own time limit is far shorter than the back-off.
    await streams.stop();
    expect(streams.state).toBe('stopped');
  });
});
