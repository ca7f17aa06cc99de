/**
 * A stateful topology (count per key) keeps complete counts across a restart of its Kafka broker
 * and goes back to running by itself. The broker is this file's own (a free port pair, its data
 * removed afterwards): the shared broker on 9092 is never touched.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { KafkaTransport } from '../../connectors/index.js';
import type { StreamsLogger, StreamsState } from '../../topology/index.js';
import { KafkaStreams } from '../../topology/index.js';
import { countTopology } from '../fakes/count-topology.js';
import type { PrivateKafka } from '../faults/private-kafka.js';
import { privateKafka } from '../faults/private-kafka.js';
import { freePort, uniqueName, waitFor } from '../support/infra.js';

const KEYS = 20;
const PER_KEY_AND_ROUND = 50;
const PARTITIONS = 3;

function print(message: string, details: object): void {
  process.stderr.write(`${new Date().toISOString()} ${message} ${JSON.stringify(details)}\n`);
}

/** Restarts and failures are what this test is about: they are printed. */
const logger: StreamsLogger = {
  info: () => undefined,
  warn: (details, message) => print(message, details),
  error: (details, message) => print(message, details),
};

let broker: PrivateKafka;
let port: number;
let stateDir: string;

beforeAll(async () => {
  port = await freePort();
  broker = privateKafka({ port, controllerPort: await freePort() });
  await broker.start();
  stateDir = await mkdtemp(join(tmpdir(), 'broker-restart-'));
});

afterAll(async () => {
  await broker?.stop();
  const cache = process.env.SUBSTREAM_CACHE ?? join(homedir(), '.cache', 'substream');
  if (port !== undefined) await rm(join(cache, `kafka-run-${port}`), { recursive: true, force: true });
  if (stateDir !== undefined) await rm(stateDir, { recursive: true, force: true });
});

interface Scenario {
  guarantee: 'at_least_once' | 'exactly_once';
  /** How often each input value reached the output (each output record counted once). */
  values: Map<string, number>;
  /** The highest count seen per key. */
  counts: Map<string, number>;
  states: StreamsState[];
  streams: KafkaStreams;
  /** Records in the input topic (the test's own producer writes each input once). */
  inputs(): Promise<number>;
  /** Records in the output topic, committed or not. */
  outputs(): Promise<number>;
  send(round: number): Promise<void>;
  close(): Promise<void>;
}

const TOTAL = 2 * KEYS * PER_KEY_AND_ROUND;

/** A count topology under `guarantee` on the private broker, with a reader of its output. */
async function countScenario(guarantee: Scenario['guarantee']): Promise<Scenario> {
  const app = uniqueName(`broker-restart-${guarantee === 'exactly_once' ? 'eos' : 'alos'}`);
  const input = `${app}-in`;
  const output = `${app}-out`;
  const kafka = new Kafka({ clientId: app, brokers: broker.brokers, logLevel: logLevel.NOTHING });
  const transport = new KafkaTransport({
    brokers: broker.brokers,
    clientId: app,
    sessionTimeoutMs: 6000,
    heartbeatIntervalMs: 1000,
    retries: 2,
  });
  // On a broker just started, new topics' leaders take a moment: the transport waits for them.
  await transport.admin.ensureTopics([input, output].map((topic) => ({ topic, partitions: PARTITIONS })));
  const streams = new KafkaStreams({
    // A little work per record, so that the broker goes away while batches are in progress.
    topology: countTopology({ input, output, delayMs: 2 }),
    transport,
    config: {
      applicationId: app,
      stateDir: join(stateDir, guarantee),
      processingGuarantee: guarantee,
      restartBackoffMs: 200,
      restartBackoffMaxMs: 1000,
    },
    logger,
  });
  const states: StreamsState[] = [];
  streams.onStateChange((state) => {
    states.push(state);
    print(`${guarantee} ${state}`, {});
  });

  const counts = new Map<string, number>();
  const values = new Map<string, number>();
  // The reader rides out the restart too and may read records again: each offset counts once.
  const read = new Set<string>();
  // The transport's tail reads committed output without a group and reopens itself after the
  // restart (a plain kafkajs consumer may crash for good when the broker is away for long).
  const reader = await transport.tail({
    topic: output,
    from: new Map(Array.from({ length: PARTITIONS }, (_, p) => [p, 'earliest'] as const)),
    readCommitted: true,
    onRecords: async (records) => {
      for (const record of records) {
        if (read.has(`${record.partition}:${record.offset}`)) continue;
        read.add(`${record.partition}:${record.offset}`);
        const { key, count, value } = JSON.parse(record.value!.toString()) as {
          key: string;
          count: number;
          value: string;
        };
        counts.set(key, Math.max(counts.get(key) ?? 0, count));
        values.set(value, (values.get(value) ?? 0) + 1);
      }
    },
  });
  // Idempotent: a send retried across the restart must not write an input twice.
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await streams.start();
  return {
    guarantee,
    values,
    counts,
    states,
    streams,
    async inputs() {
      const ends = await transport.admin.endOffsets(input);
      return [...ends.values()].reduce((n, end) => n + Number(end), 0);
    },
    async outputs() {
      const ends = await transport.admin.endOffsets(output);
      return [...ends.values()].reduce((n, end) => n + Number(end), 0);
    },
    async send(round) {
      await producer.connect();
      const messages = Array.from({ length: KEYS * PER_KEY_AND_ROUND }, (_, i) => ({
        key: `k${i % KEYS}`,
        value: `r${round}-v${i}`,
      }));
      await producer.send({ topic: input, messages });
    },
    async close() {
      await producer.disconnect().catch(() => undefined);
      await reader.stop().catch(() => undefined);
      await streams.stop();
      await transport.close().catch(() => undefined);
    },
  };
}

it('counts survive a broker restart (at_least_once: nothing lost, exactly_once: exact); both resume by themselves', async () => {
  // Both guarantees ride out the same restart: one restart is the slow part of this test.
  const scenarios = await Promise.all([countScenario('at_least_once'), countScenario('exactly_once')]);
  const [alos, eos] = scenarios as [Scenario, Scenario];
  try {
    await Promise.all(scenarios.map((s) => s.send(1)));
    await waitFor(
      () => (scenarios.every((s) => s.values.size >= KEYS * PER_KEY_AND_ROUND * 0.3) ? true : undefined),
      { timeoutMs: 60_000, what: 'the first third of the counts' },
    );
    print('broker restart', {});
    await broker.restart({ downMs: 3000 });
    print('broker back', {});
    await Promise.all(scenarios.map((s) => s.send(2)));
    print('round 2 sent', {});
    const progress = setInterval(
      () =>
        void Promise.all(scenarios.map((s) => s.outputs().catch(() => -1))).then((outputs) =>
          print('counted', { values: scenarios.map((s) => s.values.size), outputs }),
        ),
      2000,
    );
    await waitFor(() => (scenarios.every((s) => s.values.size >= TOTAL) ? true : undefined), {
      timeoutMs: 90_000,
      what: () =>
        `all ${TOTAL} inputs counted (have ${scenarios.map((s) => `${s.values.size} ${s.streams.state}`).join(', ')})`,
    });
    clearInterval(progress);
    await waitFor(() => (scenarios.every((s) => s.streams.state === 'running') ? true : undefined), {
      what: 'running again',
    });
    // Late duplicates, if any, would arrive now.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    for (const s of scenarios) expect(await s.inputs()).toBe(TOTAL);
  } finally {
    for (const s of scenarios) await s.close();
  }
  for (const s of scenarios) {
    expect(s.values.size).toBe(TOTAL);
    expect(s.states).not.toContain('failed');
    expect(s.states).toContain('restarting');
  }
  // At least once: a key's count may include records counted twice, never fewer than were sent.
  for (let k = 0; k < KEYS; k += 1)
    expect(alos.counts.get(`k${k}`)).toBeGreaterThanOrEqual(2 * PER_KEY_AND_ROUND);
  // Exactly once: every input counted once, in committed output.
  expect([...eos.values.values()].filter((n) => n !== 1)).toEqual([]);
  for (let k = 0; k < KEYS; k += 1) expect(eos.counts.get(`k${k}`)).toBe(2 * PER_KEY_AND_ROUND);
});
