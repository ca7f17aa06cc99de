import { describe, expect, it } from 'vitest';
import {
  budgetBetween,
  markdownTable,
  parseMachineBusyTicks,
  type CpuReading,
  type RunResult,
} from '../../bench/harness/index.js';

const reading = (at: number, processes: Record<string, number>, machineBusyTicks: number): CpuReading => ({
  at,
  processes: new Map(Object.entries(processes)),
  machineBusyTicks,
});

describe('the CPU budget of a run', () => {
  it('reads busy ticks of all cores from /proc/stat, idle and iowait left out', () => {
    const stat = 'cpu  100 5 40 9000 70 3 2 1 0 0\ncpu0 50 2 20 4500 35 1 1 0 0 0\n';
    expect(parseMachineBusyTicks(stat)).toBe(100 + 5 + 40 + 3 + 2 + 1);
    expect(() => parseMachineBusyTicks('intr 1 2 3')).toThrow(/cpu line/);
  });

  it('gives each process and the machine as CPU per change, and what the cores would carry', () => {
    const processes = [
      { name: 'processor-0', pid: 11 },
      { name: 'kafka broker', pid: 12 },
      { name: 'exited early', pid: 13 },
    ];
    const budget = budgetBetween({
      before: reading(0, { 'processor-0': 1000, 'kafka broker': 500, 'exited early': 7 }, 10_000),
      after: reading(10_000, { 'processor-0': 1700, 'kafka broker': 650 }, 11_500),
      processes,
      changes: 20_000,
      ticksPerSecond: 100,
      cores: 2,
    });
    expect(budget.windowSeconds).toBe(10);
    expect(budget.rows.map((r) => r.name)).toEqual(['processor-0', 'kafka broker']);
    const [processor, broker] = budget.rows;
    expect(processor).toMatchObject({ pid: 11, cpuSeconds: 7, corePercent: 70, microsPerChange: 350 });
    expect(broker).toMatchObject({ cpuSeconds: 1.5, corePercent: 15, microsPerChange: 75 });
    expect(budget.machine).toMatchObject({ cpuSeconds: 15, corePercent: 150, microsPerChange: 750 });
    expect(budget.other.cpuSeconds).toBeCloseTo(6.5);
    // 2 cores = 2,000,000 CPU µs per second, at 750 µs per change.
    expect(budget.capacityPerSecond).toBeCloseTo(2_666.67, 1);
  });

  it('is a table in the run’s markdown', () => {
    const budget = budgetBetween({
      before: reading(0, { sink: 0 }, 0),
      after: reading(1_000, { sink: 20 }, 100),
      processes: [{ name: 'sink', pid: 5 }],
      changes: 1_000,
      ticksPerSecond: 100,
      cores: 2,
    });
    const result: RunResult = {
      name: 'budget',
      startedAt: '2026-01-01T00:00:00.000Z',
      settings: { rate: 1000 },
      notes: [],
      sent: 1_000,
      sentRatePerSecond: 1_000,
      deliveredRatePerSecond: 1_000,
      latencyMs: { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 },
      counts: { expected: 0, delivered: 0, missing: 0, duplicate: 0, outOfOrder: 0, unexpected: 0 },
      timeline: [],
      processes: [],
      lag: [],
      cpuBudget: budget,
    };
    const text = markdownTable(result);
    expect(text).toContain('| sink (5) | 0.2 | 20.0 | 200 |');
    expect(text).toContain('| machine | 1.0 | 100.0 | 1000 |');
    expect(text).toContain('would carry about 2000 changes/s');
  });
});
