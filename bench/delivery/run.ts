/**
 * Delivery benchmark: rest-hook deliveries per second to a local receiver (its own process), and
 * AMQP publishes with broker confirms, both through the delivery stage on one instance.
 * Writes bench/results/delivery.json and delivery.md.
 *   npm run bench:delivery [-- --notifications 50000 --subscriptions 1000]
 */
import { fork } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { connect } from 'amqplib';
import { AmqpSink, HttpSink } from '../../connectors/index.js';
import type { Notification } from '../../processors/index.js';
import { measureDelivery, type Measurement } from './measure.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const notifications = Number(args.get('notifications') ?? 50_000);
const subscriptions = Number(args.get('subscriptions') ?? 1_000);
const rabbitUrl = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const body = JSON.stringify({
  resourceType: 'Bundle',
  type: 'subscription-notification',
  entry: [{ fullUrl: 'Patient/1' }],
});

function notification(channel: Notification['channel']) {
  return (subscriptionId: string, eventNumber: number): Notification => ({
    subscriptionId,
    eventNumber,
    type: 'event-notification',
    channel,
    body,
    contentType: 'application/fhir+json',
    notificationId: `${subscriptionId}-${eventNumber}`,
    occurredAt: new Date().toISOString(),
    createdAt: new Date().toISOString(),
  });
}

async function benchHttp(): Promise<Measurement> {
  const receiver = fork(fileURLToPath(new URL('./receiver.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
  });
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
    return await measureDelivery(sink, notification(channel), {
      notifications,
      subscriptions,
      maxConcurrency: 512,
    });
  } finally {
    await sink.close();
    receiver.disconnect();
  }
}

async function benchAmqp(): Promise<Measurement> {
  const queue = `substream-bench-${process.pid}`;
  const admin = await connect(rabbitUrl);
  const channel = await admin.createChannel();
  await channel.assertQueue(queue, { durable: true });
  const sink = new AmqpSink({
    config: { url: rabbitUrl, topology: 'check', confirmWindow: 2_000, connectionName: 'substream-bench' },
  });
  await sink.connect();
  try {
    const target = { type: 'message' as const, endpoint: `channel:${queue}`, headers: [] };
    return await measureDelivery(sink, notification(target), {
      notifications,
      subscriptions,
      maxConcurrency: 2_000,
    });
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
  return measureDelivery(sink, notification(target), { notifications, subscriptions, maxConcurrency: 512 });
}

const before = loadavg();
const stage = await benchStage();
const http = await benchHttp();
const amqp = await benchAmqp();
const results = {
  at: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    model: cpus()[0]?.model ?? 'unknown',
    loadAverageBefore: before.map((l) => Math.round(l * 100) / 100),
  },
  shared: true,
  note: 'Run on a 2-core machine shared with other developers working at the same time (load average above 7 throughout); figures are a floor, not a capacity.',
  targets: { httpPerSecond: 10_000, amqpPerSecond: 10_000 },
  stage,
  http,
  amqp,
};
const dir = fileURLToPath(new URL('../results/', import.meta.url));
await mkdir(dir, { recursive: true });
await writeFile(`${dir}delivery.json`, `${JSON.stringify(results, null, 2)}\n`);
const row = (name: string, m: Measurement, target: number) =>
  `| ${name} | ${m.notifications} | ${m.subscriptions} | ${m.perSecond} | ${target} | ${m.stageLatencyMs.p50} | ${m.stageLatencyMs.p99} | ${m.writeLatencyMs.p50} | ${m.writeLatencyMs.p99} | ${m.cpuMicrosPerDelivery} |`;
const md = `# Delivery benchmark

${results.note} Load average before the run: ${results.machine.loadAverageBefore.join(', ')} (${results.machine.cpus} × ${results.machine.model}).
Both go through the delivery stage (ordered per subscription, outcomes emitted) on one instance; the HTTP receiver runs in
its own process on loopback; AMQP publishes are persistent, mandatory, to a durable queue, and count only once confirmed.
Stage latency: record accepted by the stage → subscriber acknowledged (includes waiting behind the stage's back-pressure
when records are fed as fast as it accepts them). Write latency: one sink write. CPU µs/delivery: CPU time
of the delivering process per delivery (the receiver and the broker not counted); 1,000,000 divided by it is
what one uncontended core of this process would sustain.

| sink | notifications | subscriptions | deliveries/s | target/s | stage p50 ms | stage p99 ms | write p50 ms | write p99 ms | CPU µs/delivery |
|---|---|---|---|---|---|---|---|---|---|
${row('stage only (no-op sink)', stage, 10_000)}
${row('http (rest-hook)', http, 10_000)}
${row('amqp (confirms)', amqp, 10_000)}

Measured ${results.at}.
`;
await writeFile(`${dir}delivery.md`, md);
console.log(md);
