import { describe, expect, it } from 'vitest';
import {
  buildTimeline,
  latencySummary,
  percentileOfSorted,
  rateCounter,
  summarize,
  type Arrival,
} from '../../bench/harness/index.js';

describe('percentiles', () => {
  it('uses the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentileOfSorted(values, 50)).toBe(50);
    expect(percentileOfSorted(values, 99)).toBe(99);
    expect(percentileOfSorted(values, 100)).toBe(100);
    expect(percentileOfSorted(values, 0)).toBe(1);
    expect(percentileOfSorted([7], 99)).toBe(7);
    expect(percentileOfSorted([], 50)).toBeNaN();
  });

  it('summarizes unsorted values', () => {
    const values = [5, 1, 9, 3, 7, 2, 8, 4, 6, 10];
    expect(summarize(values)).toEqual({ count: 10, min: 1, mean: 5.5, p50: 5, p90: 9, p99: 10, max: 10 });
    // 1,000 values with one outlier: p99 stays low, max shows it.
    const skewed = [...Array.from({ length: 999 }, () => 10), 5_000];
    expect(summarize(skewed)).toMatchObject({ p50: 10, p99: 10, max: 5_000 });
  });

  it('builds per-second throughput and latency timelines', () => {
    const counter = rateCounter(0, () => 0);
    counter.add(10, 100);
    counter.add(5, 2_500);
    expect(counter.perSecond()).toEqual([10, 0, 5]);
    expect(counter.total()).toBe(15);
    const arrivals: Arrival[] = [10, 20, 30, 40].map((latencyMs, i) => ({
      subscriptionId: 's',
      type: 'event-notification',
      arrivedAt: i < 2 ? 500 : 1_500,
      latencyMs,
      channel: 'rest-hook',
    }));
    const timeline = buildTimeline({ startMs: 0, sentPerSecond: counter.perSecond(), arrivals });
    expect(timeline).toEqual([
      { second: 0, sent: 10, delivered: 2, latencyP50: 10, latencyP99: 20 },
      { second: 1, sent: 0, delivered: 2, latencyP50: 30, latencyP99: 40 },
      { second: 2, sent: 5, delivered: 0 },
    ]);
  });

  it('summarizes the latency of the other subscribers, leaving some out', () => {
    const arrivals = [
      { subscriptionId: 'down', type: 'event-notification', latencyMs: 120_000 },
      { subscriptionId: 'a', type: 'event-notification', latencyMs: 10 },
      { subscriptionId: 'b', type: 'event-notification', latencyMs: 30 },
      { subscriptionId: 'b', type: 'handshake', latencyMs: 99 },
    ];
    expect(latencySummary(arrivals).max).toBe(120_000);
    expect(latencySummary(arrivals, { exclude: new Set(['down']) })).toMatchObject({
      count: 2,
      p99: 30,
      max: 30,
    });
  });
});
