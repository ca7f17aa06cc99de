import { describe, expect, it } from 'vitest';
import { intervals, overTimeMarkdown, rssTrends, type RunResult } from '../../bench/harness/index.js';

const MIB = 1024 * 1024;
const start = Date.parse('2026-01-01T00:00:00.000Z');

/** A 4-second run: the processor's RSS grows 1 MiB a second, the sink's stays flat. */
function run(): RunResult {
  const seconds = [0, 1, 2, 3];
  return {
    name: 'r',
    startedAt: new Date(start).toISOString(),
    settings: { rate: 10 },
    notes: [],
    sent: 40,
    sentRatePerSecond: 10,
    deliveredRatePerSecond: 5,
    latencyMs: { count: 20, min: 1, mean: 5, p50: 5, p90: 8, p99: 9, max: 9 },
    counts: { expected: 20, delivered: 20, missing: 0, duplicate: 0, outOfOrder: 0, unexpected: 0 },
    timeline: seconds.map((s) => ({
      second: s,
      sent: 10,
      delivered: 5 + s,
      latencyP50: 10 * (s + 1),
      latencyP99: 100 * (s + 1),
    })),
    processes: seconds.flatMap((s) => [
      { pid: 1, at: start + s * 1000 + 500, cpuPercent: 50 + s, rssBytes: (100 + s) * MIB },
      { pid: 2, at: start + s * 1000 + 500, cpuPercent: 10, rssBytes: 50 * MIB },
    ]),
    processorGauges: seconds.map((s) => ({
      at: start + s * 1000 + 200,
      values: {
        substream_process_nodejs_heap_size_used_bytes: (40 + s) * MIB,
        substream_store_cache_bytes: s * MIB,
      },
    })),
    lag: seconds.map((s) => ({
      at: start + s * 1000 + 100,
      groupId: 'g',
      topic: 't',
      lag: 7 * s,
      byPartition: {},
    })),
    cpuBudget: {
      windowSeconds: 4,
      changes: 40,
      cores: 2,
      rows: [
        { name: 'processor-0', pid: 1, cpuSeconds: 2, corePercent: 50, microsPerChange: 50_000 },
        { name: 'http-sink', pid: 2, cpuSeconds: 0.4, corePercent: 10, microsPerChange: 10_000 },
      ],
      other: { name: 'other', cpuSeconds: 0, corePercent: 0, microsPerChange: 0 },
      machine: { name: 'machine', cpuSeconds: 2.4, corePercent: 60, microsPerChange: 60_000 },
      capacityPerSecond: 20,
    },
  };
}

describe('a run over time', () => {
  it('cuts the run into intervals with their rates, latency, lag and processes', () => {
    const rows = intervals(run(), 2);
    expect(rows.map((r) => [r.fromSecond, r.toSecond])).toEqual([
      [0, 2],
      [2, 4],
    ]);
    expect(rows[1]).toMatchObject({
      sentPerSecond: 10,
      deliveredPerSecond: 7.5,
      latencyP50: 30,
      latencyP99: 400,
      maxLag: 21,
    });
    expect(rows[1]!.gauges).toEqual({
      substream_process_nodejs_heap_size_used_bytes: 43 * MIB,
      substream_store_cache_bytes: 3 * MIB,
    });
    expect(rows[1]!.processes.find((p) => p.pid === 1)).toEqual({
      pid: 1,
      meanCpuPercent: 52.5,
      maxRssBytes: 103 * MIB,
    });
  });

  it('fits the RSS slope over the second half, per process', () => {
    const trends = rssTrends(run());
    const processor = trends.find((t) => t.name === 'processor-0')!;
    expect(processor.mibPerHour).toBeCloseTo(3600, 3);
    expect(processor.lastRssBytes).toBe(103 * MIB);
    expect(trends.find((t) => t.name === 'http-sink')!.mibPerHour).toBe(0);
  });

  it('writes a table named by process', () => {
    const md = overTimeMarkdown(run(), 2);
    expect(md).toContain('processor-0 CPU % / RSS MiB');
    expect(md).toContain('| 2–4 | 10 | 8 | 30 | 400 | 21 | 53 / 103 | 10 / 50 | 43 / – / 3 |');
  });

  it('refuses an interval that is not positive', () => {
    expect(() => intervals(run(), 0)).toThrow(/positive/);
  });
});
