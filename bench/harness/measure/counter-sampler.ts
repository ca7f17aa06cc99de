/**
 * A Prometheus counter of running services, summed over their `/metrics` pages, as counts per
 * second of a run: e.g. the changes the processors took in each second, beside the changes sent
 * and the notifications delivered. That tells a processor falling behind (it takes in less than
 * arrives) from one that keeps up but whose outputs wait further on. Gauges read from the same
 * pages (heap, external memory, store cache bytes) are kept as they were at each reading: what a
 * long run's resident memory is made of.
 */
import { rateCounter, type RateCounter } from './timeline.js';

/** The sum of every series of `metric` in a Prometheus text exposition (0 when it has none). */
export function counterTotal(text: string, metric: string): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(metric)) continue;
    const next = line[metric.length];
    if (next !== ' ' && next !== '{') continue; // another metric whose name starts the same
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) total += value;
  }
  return total;
}

/** Gauges at one reading, each summed over the services that answered. */
export interface GaugeSample {
  /** Milliseconds since the epoch. */
  at: number;
  values: Record<string, number>;
}

export interface CounterSampler {
  /** Reads every page once; a service that does not answer keeps its last total. */
  sample(): Promise<void>;
  /** The counter's increase per second of the run (from `startMs`). */
  perSecond(): number[];
  /** The `gauges` asked for, at each reading where a service answered. */
  gaugeSamples(): readonly GaugeSample[];
}

export function counterSampler(o: {
  /** Base URLs of the services (their `/metrics` is read). */
  urls: readonly string[];
  metric: string;
  /** Gauges to keep at every reading (summed over the services). */
  gauges?: readonly string[];
  startMs: number;
  fetchText?: (url: string) => Promise<string>;
}): CounterSampler {
  const fetchText =
    o.fetchText ??
    (async (url: string) => {
      const response = await fetch(url, { signal: AbortSignal.timeout(900) });
      if (!response.ok) throw new Error(`${url} answered ${response.status}`);
      return response.text();
    });
  const last = new Map<string, number>();
  const rates: RateCounter = rateCounter(o.startMs);
  const gauges = o.gauges ?? [];
  const gaugeSamples: GaugeSample[] = [];
  return {
    async sample() {
      const at = Date.now();
      const read = await Promise.allSettled(
        o.urls.map(async (url) => [url, await fetchText(`${url}/metrics`)] as const),
      );
      let increase = 0;
      const values: Record<string, number> = {};
      let answered = 0;
      for (const r of read) {
        // A service that is down (killed by a fault run) counts nothing until it answers again.
        if (r.status === 'rejected') continue;
        const [url, text] = r.value;
        const total = counterTotal(text, o.metric);
        answered++;
        for (const g of gauges) values[g] = (values[g] ?? 0) + counterTotal(text, g);
        const before = last.get(url);
        last.set(url, total);
        // The first reading is the baseline; a restarted service starts its counter again at 0.
        if (before !== undefined) increase += total >= before ? total - before : total;
      }
      if (increase > 0) rates.add(increase, at);
      if (gauges.length > 0 && answered > 0) gaugeSamples.push({ at, values });
    },
    perSecond: () => rates.perSecond(),
    gaugeSamples: () => gaugeSamples,
  };
}
