/**
 * `npx tsx bench/load/generator-probe.ts [--rate 10000] [--duration 20] [--senders 2] ...`: what the load
 * generator reaches alone. Pre-generates the changes, produces them to a topic of its own that
 * nobody consumes (created, then deleted), and reports asked/s beside sent/s (acknowledged by the
 * broker), per-second minimum and median, and the harness's own CPU. Writes
 * bench/results/load-generator.{json,md} (`--name`).
 */
// Before kafkajs: the harness's producers use the same codec replacements as the service (docs/kafka-codec.md).
import '../../connectors/kafka/native-crc.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { changeGenerator, driveEncodedLoad, pregenerate, rateCounter } from '../harness/index.js';

const { values } = parseArgs({
  options: {
    brokers: { type: 'string', default: '127.0.0.1:9092' },
    rate: { type: 'string', default: '10000' },
    duration: { type: 'string', default: '20' },
    senders: { type: 'string', default: '2' },
    batch: { type: 'string', default: '1000' },
    lanes: { type: 'string', default: '16' },
    seed: { type: 'string', default: '1' },
    name: { type: 'string', default: 'load-generator' },
    results: { type: 'string', default: 'bench/results' },
  },
});
const rate = Number(values.rate);
const durationMs = Number(values.duration) * 1000;
const senders = Number(values.senders);
const brokers = values.brokers.split(',');
const topic = `loadgen-probe-${Date.now()}-${process.pid}`;

const admin = new Kafka({ clientId: 'substream-loadgen-probe', brokers, logLevel: logLevel.NOTHING }).admin();
await admin.connect();
await admin.createTopics({ topics: [{ topic, numPartitions: 6 }], waitForLeaders: true });
try {
  const load0 = loadavg()[0] ?? 0;
  let t = performance.now();
  let bytes = 0;
  const parts = pregenerate({
    generator: changeGenerator({ seed: Number(values.seed) }),
    parts: senders,
    perPart: Math.ceil((rate * durationMs) / 1000 / senders),
  });
  for (const p of parts) bytes += p.data.byteLength;
  const records = parts.reduce((n, p) => n + p.keys.length, 0);
  const pregenerateMs = performance.now() - t;
  console.log(
    `pre-generated ${records} changes (${(bytes / records).toFixed(0)} B mean) in ${(pregenerateMs / 1000).toFixed(1)} s`,
  );

  let startMs = Date.now();
  let counter = rateCounter(startMs);
  const last = new Array<number>(senders).fill(0);
  const cpu0 = process.cpuUsage();
  t = performance.now();
  const result = await driveEncodedLoad({
    brokers,
    topic,
    parts,
    ratePerSecond: rate,
    durationMs,
    batchSize: Number(values.batch),
    lanes: Number(values.lanes),
    onStart: () => {
      startMs = Date.now();
      counter = rateCounter(startMs);
    },
    onProgress: (p, acknowledged) => {
      counter.add(acknowledged - (last[p] as number));
      last[p] = acknowledged;
    },
  });
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - t;
  const perSecond = counter.perSecond().slice(0, Math.floor(durationMs / 1000));
  const sorted = [...perSecond].sort((a, b) => a - b);
  const summary = {
    name: values.name,
    startedAt: new Date(startMs).toISOString(),
    settings: {
      rate,
      durationSeconds: durationMs / 1000,
      senders,
      batch: Number(values.batch),
      lanes: Number(values.lanes),
    },
    pregenerated: { records, meanBytes: Math.round(bytes / records), seconds: pregenerateMs / 1000 },
    askedPerSecond: rate,
    sentPerSecond: result.ratePerSecond,
    sent: result.sent,
    failedBatches: result.failedBatches,
    errors: result.errors.slice(0, 3),
    perSecond: { min: sorted[0] ?? 0, median: sorted[Math.floor(sorted.length / 2)] ?? 0, values: perSecond },
    harnessCpuPercent: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
    loadAverage: { before: load0, after: loadavg()[0] ?? 0 },
  };
  const line =
    `asked ${rate}/s, sent ${result.ratePerSecond.toFixed(0)}/s (${result.sent} acknowledged in ${(result.elapsedMs / 1000).toFixed(1)} s), ` +
    `per second min ${summary.perSecond.min} median ${summary.perSecond.median}, harness CPU ${summary.harnessCpuPercent.toFixed(0)}% ` +
    `(all threads), load average ${load0.toFixed(1)} → ${summary.loadAverage.after.toFixed(1)}`;
  console.log(line);
  await mkdir(values.results, { recursive: true });
  await writeFile(join(values.results, `${values.name}.json`), `${JSON.stringify(summary, null, 2)}\n`);
  await writeFile(
    join(values.results, `${values.name}.md`),
    [
      `## ${values.name} (${summary.startedAt})`,
      '',
      `The generator alone: ${senders} sender threads, batches ≤ ${values.batch}, ${values.lanes} lanes each, ` +
        `producing to a topic nobody consumes (6 partitions, acks=all) on the shared broker; 2 cores shared with other developers.`,
      '',
      '| asked/s | sent/s | min/s | median/s | changes | mean bytes | pre-generation s | harness CPU % | load avg before → after |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---|',
      `| ${rate} | ${result.ratePerSecond.toFixed(0)} | ${summary.perSecond.min} | ${summary.perSecond.median} | ${result.sent} | ${summary.pregenerated.meanBytes} | ${summary.pregenerated.seconds.toFixed(1)} | ${summary.harnessCpuPercent.toFixed(0)} | ${load0.toFixed(1)} → ${summary.loadAverage.after.toFixed(1)} |`,
      '',
    ].join('\n'),
  );
} finally {
  await admin
    .deleteTopics({ topics: [topic] })
    .catch((error: unknown) => console.log(`deleting ${topic}: ${String(error)}`));
  await admin.disconnect();
}
