// The timed phases of the runtime benchmark, shared by the main process and the stock-kafkajs
// child (stock-bare.ts). It imports nothing of ours that loads kafkajs (only kafkajs's types), so
// the child's kafkajs stays unpatched.
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import type { Admin, Kafka } from 'kafkajs';

export interface Pipeline {
  stop(): Promise<void>;
}

export const LATENCY_RECORDS = 20_000;
export const LATENCY_RATE = 4_000;
export const VALUE = Buffer.alloc(1024, 'x');

export interface PipelineResult {
  recordsPerSecond: number;
  seconds: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** CPU time of the measuring process per 1,000 records while the backlog was worked off (robust to a busy machine). */
  cpuMsPer1000: number;
}

export interface BenchContext {
  kafka: Kafka;
  admin: Admin;
  /** Prefix of every topic and group of the run. */
  run: string;
  records: number;
  /** A directory: the CPU profile of each timed phase (throughput only) is written there. */
  profileDir: string | undefined;
}

/** Profiles the timed phase only (the start-up, fill and latency phases would blur the picture). */
async function profiled<T>(profileDir: string | undefined, name: string, work: () => Promise<T>): Promise<T> {
  if (profileDir === undefined) return work();
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
    await writeFile(join(profileDir, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}

export async function fill(
  kafka: Kafka,
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

async function endTotal(admin: Admin, topic: string): Promise<number> {
  return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
}

async function waitForTotal(admin: Admin, topic: string, total: number): Promise<void> {
  while ((await endTotal(admin, topic)) < total) await new Promise((r) => setTimeout(r, 20));
}

/** Latencies (ms) from each input record's timestamp to its arrival in the output topic. */
async function collectLatencies(
  context: BenchContext,
  topic: string,
  count: number,
): Promise<{ stop: () => Promise<number[]> }> {
  const latencies: number[] = [];
  const consumer = context.kafka.consumer({
    groupId: `${context.run}-latency-${randomUUID()}`,
    maxWaitTimeInMs: 10,
  });
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

/** Fills an input topic, starts the pipeline, times the backlog, then the latency at a steady rate. */
export async function measure(
  context: BenchContext,
  name: string,
  start: (input: string, output: string) => Promise<Pipeline>,
): Promise<PipelineResult> {
  const { kafka, admin, run, records } = context;
  const input = `${run}-${name}-in`;
  const output = `${run}-${name}-out`;
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      { topic: input, numPartitions: 6 },
      { topic: output, numPartitions: 6 },
    ],
  });
  await fill(kafka, input, records, () => VALUE, 50_000);
  const pipeline = await start(input, output);
  // Throughput is timed from the first output record, so group joins and start-up are left out.
  await waitForTotal(admin, output, 1);
  const began = Date.now();
  const cpu = process.cpuUsage();
  await profiled(context.profileDir, name, () => waitForTotal(admin, output, records));
  const seconds = (Date.now() - began) / 1000;
  const used = process.cpuUsage(cpu);
  // Latency: a steady rate through the running pipeline.
  const latency = await collectLatencies(context, output, LATENCY_RECORDS);
  const producer = kafka.producer();
  await producer.connect();
  const perTick = LATENCY_RATE / 20;
  for (let sent = 0; sent < LATENCY_RECORDS; sent += perTick) {
    const tick = Date.now();
    await producer.send({
      topic: input,
      acks: 1,
      messages: Array.from({ length: perTick }, (_, j) => ({ key: `k${(sent + j) % 50_000}`, value: VALUE })),
    });
    await new Promise((r) => setTimeout(r, Math.max(0, 50 - (Date.now() - tick))));
  }
  await producer.disconnect();
  const latencies = await latency.stop();
  await pipeline.stop();
  return {
    recordsPerSecond: Math.round(records / seconds),
    seconds,
    latencyP50Ms: percentile(latencies, 50),
    latencyP99Ms: percentile(latencies, 99),
    cpuMsPer1000: Math.round(((used.user + used.system) / 1000 / records) * 1000 * 10) / 10,
  };
}
