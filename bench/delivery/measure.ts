/**
 * Drives the delivery stage over a real sink as fast as it accepts records, and measures
 * deliveries per second and latency (record accepted → subscriber acknowledged, and per sink write).
 */
import {
  DeliveryProcessor,
  type DeliveryOutcome,
  type DeliverySink,
  type DeliveryStoreValue,
  type Notification,
} from '../../processors/index.js';
import { MemoryStore } from '../../test/fakes/memory-store.js';

export interface Measurement {
  notifications: number;
  subscriptions: number;
  seconds: number;
  perSecond: number;
  stageLatencyMs: { p50: number; p99: number; max: number };
  writeLatencyMs: { p50: number; p99: number; max: number };
  /** CPU time of this process per delivery (user + system): what one core would sustain, uncontended. */
  cpuMicrosPerDelivery: number;
  notDelivered: number;
}

export async function measureDelivery(
  sink: DeliverySink,
  make: (subscriptionId: string, eventNumber: number) => Notification,
  options: { notifications: number; subscriptions: number; maxConcurrency: number; laneWindow?: number },
): Promise<Measurement> {
  const accepted = new Map<string, number>();
  const stageLatencies: number[] = [];
  const writeLatencies: number[] = [];
  let delivered = 0;
  let others = 0;
  let finished: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const timed: DeliverySink = {
    name: sink.name,
    ...(sink.orderedWindow === undefined ? {} : { orderedWindow: sink.orderedWindow }),
    async write(notification) {
      const started = performance.now();
      const result = await sink.write(notification);
      writeLatencies.push(performance.now() - started);
      return result;
    },
  };
  const onOutcome = async (outcome: DeliveryOutcome) => {
    if (outcome.result === 'delivered') {
      delivered += 1;
      stageLatencies.push(performance.now() - (accepted.get(outcome.notificationId) ?? 0));
    } else {
      others += 1;
    }
    if (delivered + others >= options.notifications) finished();
  };
  const processor = new DeliveryProcessor(
    {
      store: new MemoryStore<DeliveryStoreValue>('bench'),
      sink: timed,
      clock: { now: () => Date.now() },
      emitOutcome: onOutcome,
      emitDeadLetter: async () => undefined,
    },
    {
      maxConcurrency: options.maxConcurrency,
      maxPendingRecords: 10_000,
      ...(options.laneWindow === undefined ? {} : { laneWindow: options.laneWindow }),
    },
  );
  await processor.init();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < options.notifications; i++) {
    const notification = make(`sub-${i % options.subscriptions}`, Math.floor(i / options.subscriptions) + 1);
    accepted.set(notification.notificationId, performance.now());
    await processor.process({ notification, offset: String(i) });
  }
  await done;
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  await processor.close();
  return {
    notifications: options.notifications,
    subscriptions: options.subscriptions,
    seconds: round(seconds),
    perSecond: Math.round(delivered / seconds),
    stageLatencyMs: percentiles(stageLatencies),
    writeLatencyMs: percentiles(writeLatencies),
    cpuMicrosPerDelivery: Math.round((cpu.user + cpu.system) / Math.max(1, delivered)),
    notDelivered: others,
  };
}

function percentiles(values: number[]): { p50: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
  return { p50: at(0.5), p99: at(0.99), max: round(sorted.at(-1) ?? 0) };
}

const round = (n: number) => Math.round(n * 100) / 100;
