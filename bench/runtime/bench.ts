// Streams runtime benchmark: a stateful topology against a bare kafkajs loop over a 6-partition
// topic, end-to-end latency, and restoration of a 1,000,000-entry store.
// Run with `npm run bench:runtime`; writes bench/results/runtime.json and runtime.md.
// Before kafkajs: it runs with the native CRC-32C and the record codec replacements (see native-crc.ts).
import {
  groupMessagesInstalled,
  nativeCrcInstalled,
  recordBatchEncoderInstalled,
  recordDecoderInstalled,
} from '../../connectors/kafka/native-crc.js';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector';
import { cpus, loadavg, tmpdir } from 'node:os';
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
/** `BENCH_ONLY=stateful` (or `bare`) runs that pipeline alone (for profiling); no results are written. */
const ONLY = process.env['BENCH_ONLY'];
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
/** A directory: the CPU profile of each timed phase (throughput only) is written there. */
const PROFILE_DIR = process.env['BENCH_PROFILE'];

/** Profiles the timed phase only (the start-up, fill and latency phases would blur the picture). */
async function profiled<T>(name: string, work: () => Promise<T>): Promise<T> {
  if (PROFILE_DIR === undefined) return work();
  const session = new Session();
  session.connect();
  const post = (method: string) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, (error, result) => (error ? reject(error) : resolve(result))),
    );
  await post('Profiler.enable');
  await post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    await writeFile(join(PROFILE_DIR, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}
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
  /** CPU time of this process per 1,000 records while the backlog was worked off (robust to a busy machine). */
  cpuMsPer1000: number;
}

/** The round with the median throughput (its latencies with it), and every round's throughput. */
function median(rounds: PipelineResult[]): PipelineResult & { rounds: number[] } {
  const sorted = [...rounds].sort((a, b) => a.recordsPerSecond - b.recordsPerSecond);
  return {
    ...sorted[Math.floor(sorted.length / 2)]!,
    rounds: rounds.map((r) => r.recordsPerSecond),
  };
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
  const cpu = process.cpuUsage();
  await profiled(name, () => waitForTotal(output, RECORDS));
  const seconds = (Date.now() - began) / 1000;
  const used = process.cpuUsage(cpu);
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
    cpuMsPer1000: Math.round(((used.user + used.system) / 1000 / RECORDS) * 1000 * 10) / 10,
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
  if (ONLY === 'stateful') {
    const alone = await measure('stateful', (input, output) =>
      statefulTopology(brokers, `${run}-app`, stateDir, input, output),
    );
    process.stdout.write(`${JSON.stringify(alone)}\n`);
  } else if (ONLY === 'bare') {
    const alone = await measure('bare', (input, output) => bareLoop(kafka, `${run}-bare`, input, output));
    process.stdout.write(`${JSON.stringify(alone)}\n`);
  } else {
    await fullRun();
  }
} finally {
  const topics = (await admin.listTopics()).filter((t) => t.startsWith(run));
  if (topics.length > 0) await admin.deleteTopics({ topics });
  await admin.disconnect();
  await rm(stateDir, { recursive: true, force: true });
}

function installed(yes: boolean): string {
  return yes ? 'yes' : 'no';
}

async function fullRun(): Promise<void> {
  const loadStart = loadavg()[0]!.toFixed(1);
  // Rounds alternate bare and stateful so both see the same load of the shared machine; medians count.
  const bareRounds: PipelineResult[] = [];
  const statefulRounds: PipelineResult[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    bareRounds.push(await measure(`bare${round}`, (i, o) => bareLoop(kafka, `${run}-bare${round}`, i, o)));
    statefulRounds.push(
      await measure(`stateful${round}`, (i, o) =>
        statefulTopology(brokers, `${run}-app${round}`, stateDir, i, o),
      ),
    );
  }
  const bare = median(bareRounds);
  const stateful = median(statefulRounds);
  const restoration = await measureRestore();
  const ratio = Number((stateful.recordsPerSecond / bare.recordsPerSecond).toFixed(2));
  const results = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
    note: `Shared machine: other people were building and testing on the same 2 cores and the same broker during this run (load average ${loadStart} at the start, ${loadavg()[0]!.toFixed(1)} at the end), so absolute figures are noisy.`,
    // Installed process-wide, so the bare loop runs with them as well.
    kafkajsReplacements: {
      nativeCrc32c: nativeCrcInstalled,
      recordBatchEncoder: recordBatchEncoderInstalled,
      recordDecoder: recordDecoderInstalled,
      groupMessagesPerPartition: groupMessagesInstalled,
    },
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
    `${ROUNDS} rounds, bare and stateful alternating; the median round of each is shown.`,
    '',
    `kafkajs replacements installed in the process, for both pipelines: native CRC-32C ${installed(nativeCrcInstalled)}, record batch and produce request encoder ${installed(recordBatchEncoderInstalled)}, record decoder ${installed(recordDecoderInstalled)}, linear grouping per partition ${installed(groupMessagesInstalled)} (see docs/kafka-codec.md).`,
    '',
    '| pipeline | records/s | p50 ms | p99 ms | CPU ms / 1,000 records |',
    '|---|---:|---:|---:|---:|',
    `| bare kafkajs consume→produce | ${bare.recordsPerSecond} | ${bare.latencyP50Ms} | ${bare.latencyP99Ms} | ${bare.cpuMsPer1000} |`,
    `| stateful topology (get + put per record, at_least_once) | ${stateful.recordsPerSecond} | ${stateful.latencyP50Ms} | ${stateful.latencyP99Ms} | ${stateful.cpuMsPer1000} |`,
    '',
    `Rounds, records/s: bare ${bare.rounds.join(', ')}; stateful ${stateful.rounds.join(', ')} (medians above).`,
    '',
    `Ratio stateful / bare: **${ratio}** (target ≥ 0.7). Stateful: **${stateful.recordsPerSecond}** records/s (target ≥ 15,000).`,
    '',
    `Restoration of a ${restoration.entries.toLocaleString('en')}-entry store: ${restoration.seconds.toFixed(1)} s, **${restoration.entriesPerSecond}** entries/s (target ≥ 100,000).`,
    '',
  ].join('\n');
  await writeFile('bench/results/runtime.md', markdown);
  process.stdout.write(`${markdown}\n`);
}
