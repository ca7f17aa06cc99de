/**
 * AMQP publishing alone, for tuning: one line of JSON per run with the rate, latencies, our CPU
 * and the broker's CPU per delivery, for a choice of confirm channels, window, stage concurrency
 * and queue arguments. Nothing is written to bench/results. Run it under the benchmark lock:
 *   flock /tmp/bench.lock npx tsx bench/delivery/amqp-probe.ts --connections 4 --window 2000 \
 *     --concurrency 2000 --notifications 20000 --runs 2 --queue-arguments '{"x-queue-type":"quorum"}'
 */
import { loadavg } from 'node:os';
import { connect } from 'amqplib';
import { AmqpSink } from '../../connectors/index.js';
import { measureDelivery } from './measure.js';
import { benchNotification } from './notifications.js';
import { findListener, processCpuMicros } from './process-cpu.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const notifications = Number(args.get('notifications') ?? 20_000);
const connections = Number(args.get('connections') ?? 4);
const window = Number(args.get('window') ?? 2_000);
const concurrency = Number(args.get('concurrency') ?? 2_000);
const runs = Number(args.get('runs') ?? 1);
const queueArguments = JSON.parse(args.get('queue-arguments') ?? '{}') as Record<string, unknown>;
const url = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const broker = findListener(Number(new URL(url).port || 5672));

for (let run = 0; run < runs; run++) {
  const queue = `substream-probe-${process.pid}-${run}`;
  const admin = await connect(url);
  const adminChannel = await admin.createChannel();
  await adminChannel.assertQueue(queue, { durable: true, arguments: queueArguments });
  const sink = new AmqpSink({
    config: { url, topology: 'check', confirmWindow: window, connections, connectionName: 'substream-probe' },
  });
  await sink.connect();
  const channel = { type: 'message' as const, endpoint: `channel:${queue}`, headers: [] };
  const make = benchNotification(channel);
  const load = loadavg()[0]!.toFixed(2);
  const brokerBefore = processCpuMicros(broker);
  try {
    const m = await measureDelivery(sink, make, {
      notifications,
      subscriptions: 1_000,
      maxConcurrency: concurrency,
    });
    const brokerAfter = processCpuMicros(broker);
    const brokerCpu =
      brokerBefore === undefined || brokerAfter === undefined
        ? undefined
        : Math.round((brokerAfter - brokerBefore) / notifications);
    console.log(
      JSON.stringify({
        connections,
        window,
        concurrency,
        queueArguments,
        load,
        perSecond: m.perSecond,
        stageMs: m.stageLatencyMs,
        writeMs: m.writeLatencyMs,
        cpuMicrosPerDelivery: m.cpuMicrosPerDelivery,
        brokerCpuMicrosPerDelivery: brokerCpu,
        notDelivered: m.notDelivered,
      }),
    );
  } finally {
    await sink.close();
    await adminChannel.deleteQueue(queue);
    await admin.close();
  }
}
