import { describe, expect, it } from 'vitest';
import { computeLag, parseCpuTicks, parseRssBytes, processSampler } from '../../bench/harness/index.js';

describe('samplers', () => {
  it('reads CPU ticks after a command name with spaces and parentheses', () => {
    const stat = '4242 (node (worker) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 11 0 100 0 0';
    expect(parseCpuTicks(stat)).toBe(325);
  });

  it('reads VmRSS in bytes', () => {
    expect(parseRssBytes('Name:\tnode\nVmRSS:\t   123456 kB\nThreads:\t11\n')).toBe(123456 * 1024);
    expect(parseRssBytes('Name:\tzombie\n')).toBe(0);
  });

  it('samples this process from /proc', async () => {
    const sampler = processSampler([process.pid, 2 ** 22 + 7]);
    await sampler.sample();
    const end = Date.now() + 60;
    while (Date.now() < end) Math.sqrt(Math.random());
    const [sample, ...rest] = await sampler.sample();
    expect(rest).toEqual([]);
    expect(sample!.pid).toBe(process.pid);
    expect(sample!.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(sample!.cpuPercent).toBeGreaterThanOrEqual(0);
  });

  it('computes lag from watermarks and committed offsets', () => {
    const high = [
      { partition: 0, high: '100', low: '0' },
      { partition: 1, high: '50', low: '10' },
    ];
    expect(
      computeLag(high, [
        { partition: 0, offset: '90' },
        { partition: 1, offset: '-1' },
      ]),
    ).toEqual({
      lag: 50,
      byPartition: { 0: 10, 1: 40 },
    });
  });
});
