/**
 * Per-second timelines of a run: changes sent, notifications delivered, and delivery latency
 * percentiles of the notifications that arrived in each second.
 */
import type { Arrival } from '../receive/arrival.js';
import { percentileOfSorted } from './percentiles.js';

/** Counts events into one-second buckets from a start time. */
export interface RateCounter {
  add(count: number, atMs?: number): void;
  /** Counts per second, from the start to the last second that saw an event. */
  perSecond(): number[];
  total(): number;
}

export function rateCounter(startMs: number, now: () => number = Date.now): RateCounter {
  const buckets: number[] = [];
  let total = 0;
  return {
    add(count, atMs = now()) {
      const second = Math.max(0, Math.floor((atMs - startMs) / 1000));
      while (buckets.length <= second) buckets.push(0);
      buckets[second] = (buckets[second] as number) + count;
      total += count;
    },
    perSecond: () => [...buckets],
    total: () => total,
  };
}

export interface TimelinePoint {
  /** Seconds from the start of the run. */
  second: number;
  sent: number;
  delivered: number;
  /** Changes the processors took in (from their metrics), when sampled. */
  processed?: number;
  latencyP50?: number;
  latencyP99?: number;
}

export function buildTimeline(options: {
  startMs: number;
  sentPerSecond: readonly number[];
  arrivals: readonly Arrival[];
  processedPerSecond?: readonly number[];
}): TimelinePoint[] {
  const latencies: number[][] = [];
  for (const a of options.arrivals) {
    if (a.type !== 'event-notification') continue;
    const second = Math.max(0, Math.floor((a.arrivedAt - options.startMs) / 1000));
    while (latencies.length <= second) latencies.push([]);
    if (a.latencyMs !== undefined) (latencies[second] as number[]).push(a.latencyMs);
    else (latencies[second] as number[]).push(Number.NaN);
  }
  const length = Math.max(options.sentPerSecond.length, latencies.length);
  const points: TimelinePoint[] = [];
  for (let second = 0; second < length; second++) {
    const all = latencies[second] ?? [];
    const known = Float64Array.from(all.filter((v) => !Number.isNaN(v))).sort();
    points.push({
      second,
      sent: options.sentPerSecond[second] ?? 0,
      delivered: all.length,
      ...(options.processedPerSecond ? { processed: options.processedPerSecond[second] ?? 0 } : {}),
      ...(known.length > 0
        ? { latencyP50: percentileOfSorted(known, 50), latencyP99: percentileOfSorted(known, 99) }
        : {}),
    });
  }
  return points;
}
