/**
 * Delivery benchmark: rest-hook deliveries per second to a local receiver (its own process), and
 * AMQP publishes with broker confirms, both through the delivery stage on one instance.
 * Writes bench/results/delivery.json and delivery.md.
 * Each sink is measured `--runs` times (default 3) and the run with the median rate is reported,
 * with every run's rate beside it: the machine is shared, so one run says little.
 *   npm run bench:delivery [-- --notifications 50000 --subscriptions 1000 --runs 3]
 */
import { fork } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { connect } from 'amqplib';
import { AmqpSink, HttpSink } from '../../connectors/index.js';
import { measureDelivery, type Measurement } from './measure.js';
import { benchNotification } from './notifications.js';
import { findListener, processCpuMicros } from './process-cpu.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const notifications = Number(args.get('notifications') ?? 50_000);
const subscriptions = Number(args.get('subscriptions') ?? 1_000);
const runs = Number(args.get('runs') ?? 3);
const rabbitUrl = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

async function benchHttp(
  shape: { subscriptions: number; notifications: number; laneWindow?: number; receiverDelayMs?: number } = {
    subscriptions,
    notifications,
  },
): Promise<Measurement> {
  const { receiverDelayMs, ...load } = shape;
  const receiver = fork(
    fileURLToPath(new URL('./receiver.ts', import.meta.url)),
    [String(receiverDelayMs ?? 0)],
    {
      execArgv: ['--import', 'tsx'],
    },
  );
  const port = await new Promise<number>((resolve) =>
    receiver.once('message', (m) => resolve((m as { port: number }).port)),
  );
  const sink = new HttpSink({ config: { endpointAllowlist: ['127.0.0.1'], connectionsPerEndpoint: 128 } });
  await sink.connect();
  try {
    const channel = {
      type: 'rest-hook' as const,
      endpoint: `http://127.0.0.1:${port}/hook`,
      headers: ['Authorization: Bearer bench'],
    };
    return await measureDelivery(sink, benchNotification(channel), { ...load, maxConcurrency: 512 });
  } finally {
    await sink.close();
    receiver.disconnect();
  }
}

/** The broker's CPU time per delivery (RabbitMQ on this machine), beside ours. */
interface AmqpMeasurement extends Measurement {
  brokerCpuMicrosPerDelivery?: number;
}

/** The local RabbitMQ node (the broker of RABBITMQ_URL when that is on this machine). */
const broker = findListener(Number(new URL(rabbitUrl).port || 5672));

/**
 * AMQP publishes to a durable queue. `queueArguments` only for the deployment comparison: the
 * measured row declares a plain durable queue, as a subscriber would by default.
 */
async function benchAmqp(queueArguments: Record<string, unknown> = {}): Promise<AmqpMeasurement> {
  const queue = `substream-bench-${process.pid}`;
  const admin = await connect(rabbitUrl);
  const channel = await admin.createChannel();
  await channel.assertQueue(queue, { durable: true, arguments: queueArguments });
  const sink = new AmqpSink({
    config: { url: rabbitUrl, topology: 'check', confirmWindow: 2_000, connectionName: 'substream-bench' },
  });
  await sink.connect();
  try {
    const target = { type: 'message' as const, endpoint: `channel:${queue}`, headers: [] };
    const brokerBefore = processCpuMicros(broker);
    const measured = await measureDelivery(sink, benchNotification(target), {
      notifications,
      subscriptions,
      maxConcurrency: 2_000,
    });
    const brokerAfter = processCpuMicros(broker);
    if (brokerBefore === undefined || brokerAfter === undefined) return measured;
    const delivered = Math.max(1, measured.notifications - measured.notDelivered);
    return { ...measured, brokerCpuMicrosPerDelivery: Math.round((brokerAfter - brokerBefore) / delivered) };
  } finally {
    await sink.close();
    await channel.deleteQueue(queue);
    await admin.close();
  }
}

/** The stage alone, over a sink that acknowledges at once: the ceiling the stage itself sets. */
async function benchStage(): Promise<Measurement> {
  const sink = { name: 'noop', write: async () => ({ kind: 'delivered' as const }) };
  const target = { type: 'rest-hook' as const, endpoint: 'http://subscriber.example/hook', headers: [] };
  return measureDelivery(sink, benchNotification(target), {
    notifications,
    subscriptions,
    maxConcurrency: 512,
  });
}

interface Series extends AmqpMeasurement {
  /** deliveries/s of every run, in run order. */
  runs: number[];
}

/** Runs a measurement `runs` times; the run with the median rate stands for the series. */
async function median(measure: () => Promise<AmqpMeasurement>): Promise<Series> {
  const all: AmqpMeasurement[] = [];
  for (let i = 0; i < runs; i++) all.push(await measure());
  const sorted = [...all].sort((a, b) => a.perSecond - b.perSecond);
  return { ...sorted[Math.floor((sorted.length - 1) / 2)]!, runs: all.map((m) => m.perSecond) };
}

const round2 = (l: number) => Math.round(l * 100) / 100;
const before = loadavg();
const stage = await median(benchStage);
const http = await median(benchHttp);
const amqp = await median(() => benchAmqp());
// Deployment comparison: the same publishes to a quorum queue (see docs/delivery.md).
const amqpQuorum = await median(() => benchAmqp({ 'x-queue-type': 'quorum' }));
// Skewed traffic: two subscriptions take everything, so the rate is what one lane can do.
const skewed = { subscriptions: 2, notifications: Math.min(notifications, 10_000), receiverDelayMs: 2 };
const skewedWindow = await median(() => benchHttp(skewed));
const skewedStrict = await median(() => benchHttp({ ...skewed, laneWindow: 1 }));
const after = loadavg();
const results = {
  at: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    model: cpus()[0]?.model ?? 'unknown',
    loadAverageBefore: before.map(round2),
    loadAverageAfter: after.map(round2),
  },
  shared: true,
  note: `Run on a 2-core machine shared with other developers working at the same time; figures are a floor, not a capacity. Median of ${runs} runs per sink.`,
  targets: { httpPerSecond: 10_000, amqpPerSecond: 10_000 },
  stage,
  http,
  amqp,
  amqpQuorumQueue: amqpQuorum,
  httpTwoSubscriptions: skewedWindow,
  httpTwoSubscriptionsWindow1: skewedStrict,
};
const dir = fileURLToPath(new URL('../results/', import.meta.url));
await mkdir(dir, { recursive: true });
await writeFile(`${dir}delivery.json`, `${JSON.stringify(results, null, 2)}\n`);
const row = (name: string, m: Series, target: number) =>
  `| ${name} | ${m.notifications} | ${m.subscriptions} | ${m.perSecond} (${m.runs.join(', ')}) | ${target} | ${m.stageLatencyMs.p50} | ${m.stageLatencyMs.p99} | ${m.writeLatencyMs.p50} | ${m.writeLatencyMs.p99} | ${m.cpuMicrosPerDelivery} | ${m.brokerCpuMicrosPerDelivery ?? ''} |`;
const md = `# Delivery benchmark

${results.note} Load average before the run: ${results.machine.loadAverageBefore.join(', ')}, after: ${results.machine.loadAverageAfter.join(', ')} (${results.machine.cpus} × ${results.machine.model}).
Both go through the delivery stage (ordered per subscription, outcomes emitted) on one instance; the HTTP receiver runs in
its own process on loopback; AMQP publishes are persistent, mandatory, to a durable queue, and count only once confirmed.
Stage latency: record accepted by the stage → subscriber acknowledged (includes waiting behind the stage's back-pressure
when records are fed as fast as it accepts them). Write latency: one sink write. CPU µs/delivery: CPU time
of the delivering process per delivery (the receiver and the broker not counted); 1,000,000 divided by it is
what one uncontended core of this process would sustain. Broker CPU µs/delivery: CPU time of the RabbitMQ node
(same machine, same 2 cores) per delivery. The quorum-queue row is the same load to a quorum queue, for deployment
advice (docs/delivery.md); the measured row declares a plain durable (classic) queue. The last two rows send everything to two
subscriptions (skewed traffic) whose endpoint answers after 2 ms (a subscriber's network and work):
the rate is what a subscription's lane sustains, with its window of pipelined requests on one
connection, and one request at a time.

| sink | notifications | subscriptions | deliveries/s (every run) | target/s | stage p50 ms | stage p99 ms | write p50 ms | write p99 ms | CPU µs/delivery | broker CPU µs/delivery |
|---|---|---|---|---|---|---|---|---|---|---|
${row('stage only (no-op sink)', stage, 10_000)}
${row('http (rest-hook)', http, 10_000)}
${row('amqp (confirms)', amqp, 10_000)}
${row('amqp (confirms), quorum queue', amqpQuorum, 10_000)}
${row('http, 2 subscriptions, 2 ms answers, lane window 8 (default)', skewedWindow, 10_000)}
${row('http, 2 subscriptions, 2 ms answers, lane window 1 (strict)', skewedStrict, 10_000)}

Measured ${results.at}.
`;
await writeFile(`${dir}delivery.md`, md);
console.log(md);
