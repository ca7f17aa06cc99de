import sax from 'sax';
import { describe, expect, it } from 'vitest';
import { escapeXml, niceTicks, renderChart, runChart, type RunResult } from '../../bench/harness/index.js';

/** Parses strictly; throws on anything not well-formed. Returns the element names seen. */
function parseStrict(xml: string): string[] {
  const parser = sax.parser(true, { xmlns: true });
  const names: string[] = [];
  parser.onerror = (error) => {
    throw error;
  };
  parser.onopentag = (node) => void names.push(node.name);
  parser.write(xml).close();
  return names;
}

describe('the SVG plot', () => {
  it('is well-formed SVG with a polyline per series and escaped text', () => {
    const svg = renderChart({
      title: 'p99 <100 ms & "quoted"',
      xLabel: 'seconds',
      panels: [
        {
          title: 'Throughput',
          yLabel: 'per second',
          series: [{ name: 'sent', color: '#1f77b4', points: [0, 1, 2].map((x) => ({ x, y: x * 1000 })) }],
        },
        {
          title: 'Latency',
          yLabel: 'ms',
          series: [
            {
              name: 'p99 <&>',
              color: '#d62728',
              points: [
                { x: 0, y: 5 },
                { x: 1, y: undefined },
                { x: 2, y: 9 },
              ],
            },
          ],
        },
      ],
    });
    const names = parseStrict(svg);
    expect(names[0]).toBe('svg');
    expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
    // The gap splits the latency line into two polylines: three in all.
    expect(names.filter((n) => n === 'polyline').length).toBe(3);
    expect(svg).toContain('p99 &lt;100 ms &amp; &quot;quoted&quot;');
  });

  it('draws a run with empty latency seconds and no data at all', () => {
    const result = {
      name: 'empty',
      timeline: [{ second: 0, sent: 0, delivered: 0 }],
    } as unknown as RunResult;
    expect(() => parseStrict(runChart(result))).not.toThrow();
  });

  it('picks round ticks covering the maximum', () => {
    expect(niceTicks(9_400)).toEqual([0, 2_000, 4_000, 6_000, 8_000, 10_000]);
    expect(niceTicks(0.7)).toEqual([0, 0.2, 0.4, 0.6, 0.8]);
    expect(niceTicks(0)).toEqual([0, 1]);
    expect(() => parseStrict('<svg><g></svg>')).toThrow();
    expect(escapeXml(`<a b='c'>&`)).toBe('&lt;a b=&apos;c&apos;&gt;&amp;');
  });
});
