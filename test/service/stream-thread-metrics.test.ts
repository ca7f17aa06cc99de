/**
 * Merged metrics across a worker's replacement (fake workers): the replaced worker's counters and
 * histograms stay in the merged sums, so they never go down (Prometheus would read a drop as a
 * counter reset); its gauges go with it.
 */
import { AggregatorRegistry } from 'prom-client';
import { expect, it, vi } from 'vitest';
import { bootFakeThreads, fakeTimersPerTest, untilWaiting } from '../fakes/fake-stream-thread.js';

fakeTimersPerTest({ noJitter: true });

const registry = (consumed: number, lag: number) => [
  {
    name: 'substream_changes_consumed_total',
    help: 'Changes read',
    type: 'counter',
    aggregator: 'sum',
    values: [{ value: consumed, labels: {} }],
  },
  {
    name: 'substream_consumer_lag',
    help: 'Lag',
    type: 'gauge',
    aggregator: 'sum',
    values: [{ value: lag, labels: { partition: '0' } }],
  },
];

async function merged(json: unknown[]): Promise<Record<string, number>> {
  const aggregated = AggregatorRegistry.aggregate(json as object[]);
  const out: Record<string, number> = {};
  for (const m of await aggregated.getMetricsAsJSON()) out[m.name] = m.values[0]?.value ?? Number.NaN;
  return out;
}

it('keeps a replaced worker’s counters in the merged sums, not its gauges', async () => {
  const { threads, workers } = await bootFakeThreads(1);
  await threads.start();
  workers[0]!.metricsValue = registry(500, 7);
  expect(await merged(await threads.metrics())).toEqual({
    substream_changes_consumed_total: 500,
    substream_consumer_lag: 7,
  });

  workers[0]!.exit(1);
  await untilWaiting();
  // Replacing: the ended worker's last count stands; its lag is gone with it.
  expect(await merged(await threads.metrics())).toEqual({ substream_changes_consumed_total: 500 });

  await vi.advanceTimersByTimeAsync(500);
  expect(workers).toHaveLength(2);
  workers[1]!.metricsValue = registry(20, 3);
  expect(await merged(await threads.metrics())).toEqual({
    substream_changes_consumed_total: 520,
    substream_consumer_lag: 3,
  });
  await threads.stop();
});
