import { describe, expect, it } from 'vitest';
import { counterSampler, counterTotal } from '../../bench/harness/index.js';

const page = (consumed: number, other = 5) =>
  [
    '# HELP substream_changes_consumed_total Changes taken in',
    '# TYPE substream_changes_consumed_total counter',
    `substream_changes_consumed_total ${consumed}`,
    `substream_changes_consumed_total_extra ${other}`,
    `substream_changes_decoded_total{format="canonical"} ${other}`,
  ].join('\n');

describe('a counter of running services, per second', () => {
  it('sums every series of the metric and nothing that only starts like it', () => {
    expect(counterTotal(page(7), 'substream_changes_consumed_total')).toBe(7);
    expect(counterTotal('m{a="1"} 2\nm{a="2"} 3.5\nmm 100\n', 'm')).toBe(5.5);
    expect(counterTotal('', 'm')).toBe(0);
  });

  it('counts increases from the first reading, across services, a silent one keeping its total', async () => {
    const totals = new Map([
      ['http://a', [10, 30, 60, 60]],
      ['http://b', [0, 5, Number.NaN, 25]],
    ]);
    let reading = 0;
    const sampler = counterSampler({
      urls: ['http://a', 'http://b'],
      metric: 'substream_changes_consumed_total',
      startMs: Date.now() - 10_000,
      fetchText: async (url) => {
        const value = totals.get(url.replace('/metrics', ''))![reading]!;
        if (Number.isNaN(value)) throw new Error('down');
        return page(value);
      },
    });
    for (reading = 0; reading < 4; reading++) await sampler.sample();
    // 20 + 5, then 30 (b down), then 20 from b: all within the same second here.
    expect(sampler.perSecond().reduce((a, b) => a + b, 0)).toBe(75);
  });
  it('keeps the gauges asked for at each reading, summed over the services that answered', async () => {
    const pages: Record<string, string[]> = {
      'http://a': ['heap 100\ncache{s="x"} 1\ncache{s="y"} 2', 'heap 150\ncache 4'],
      'http://b': ['heap 10', ''],
    };
    let reading = 0;
    const sampler = counterSampler({
      urls: ['http://a', 'http://b'],
      metric: 'substream_changes_consumed_total',
      gauges: ['heap', 'cache'],
      startMs: Date.now(),
      fetchText: async (url) => {
        const text = pages[url.replace('/metrics', '')]![reading]!;
        if (text === '') throw new Error('down');
        return text;
      },
    });
    for (reading = 0; reading < 2; reading++) await sampler.sample();
    expect(sampler.gaugeSamples().map((g) => g.values)).toEqual([
      { heap: 110, cache: 3 },
      { heap: 150, cache: 4 },
    ]);
  });
});
