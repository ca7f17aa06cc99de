/**
 * Prometheus metrics of delivery, registered on the Registry the process passes in (no global
 * registry): attempts and outcomes by result, latency from the change to the subscriber's
 * acknowledgement, and parked subscriptions per task. Labels never carry endpoints or headers.
 * The returned object satisfies the delivery stage's metrics port.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface DeliveryMetricsRecorder {
  attempt(kind: string): void;
  outcome(result: string): void;
  latency(seconds: number): void;
  parkedSubscriptions(count: number): void;
}

export const LATENCY_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600,
];

export function createDeliveryMetrics(
  registry: Registry,
  labels: { sink: string; task?: string },
): DeliveryMetricsRecorder {
  const attempts = registered(
    registry,
    'substream_delivery_attempts_total',
    (name) =>
      new Counter({
        name,
        help: 'Delivery attempts by sink and result.',
        labelNames: ['sink', 'result'],
        registers: [registry],
      }),
  );
  const outcomes = registered(
    registry,
    'substream_delivery_outcomes_total',
    (name) =>
      new Counter({
        name,
        help: 'Delivery outcomes (delivered, failed, dead-lettered) by sink.',
        labelNames: ['sink', 'result'],
        registers: [registry],
      }),
  );
  const latency = registered(
    registry,
    'substream_delivery_latency_seconds',
    (name) =>
      new Histogram({
        name,
        help: 'Seconds from the resource change to the subscriber acknowledging its notification.',
        labelNames: ['sink'],
        buckets: LATENCY_BUCKETS,
        registers: [registry],
      }),
  );
  const parked = registered(
    registry,
    'substream_delivery_parked_subscriptions',
    (name) =>
      new Gauge({
        name,
        help: 'Subscriptions whose notifications wait in a parked queue.',
        labelNames: ['sink', 'task'],
        registers: [registry],
      }),
  );
  const sink = labels.sink;
  const task = labels.task ?? '';
  // Labelled children looked up once: prom-client otherwise builds a label key at every call,
  // several times per notification.
  const attemptsBy = children((result) => attempts.labels({ sink, result }));
  const outcomesBy = children((result) => outcomes.labels({ sink, result }));
  const latencyOfSink = latency.labels({ sink });
  const parkedOfTask = parked.labels({ sink, task });
  return {
    attempt: (kind) => attemptsBy(kind).inc(),
    outcome: (result) => outcomesBy(result).inc(),
    latency: (seconds) => latencyOfSink.observe(seconds),
    parkedSubscriptions: (count) => parkedOfTask.set(count),
  };
}

/** A labelled child per label value, made on first use. */
function children<C>(make: (value: string) => C): (value: string) => C {
  const made = new Map<string, C>();
  return (value) => {
    let child = made.get(value);
    if (child === undefined) made.set(value, (child = make(value)));
    return child;
  };
}

/** One metric object per registry, shared by every sink and task that records into it. */
function registered<T>(registry: Registry, name: string, create: (name: string) => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create(name);
}
