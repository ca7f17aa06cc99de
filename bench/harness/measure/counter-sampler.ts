/**
 * A Prometheus counter of running services, summed over their `/metrics` pages, as counts per
 * second of a run: e.g. the changes the processors took in each second, beside the changes sent
 * and the notifications delivered. That tells a processor falling behind (it takes in less than
 * arrives) from one that keeps up but whose outputs wait further on.
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

export interface CounterSampler {
  /** Reads every page once; a service that does not answer keeps its last total. */
  sample(): Promise<void>;
  /** The counter's increase per second of the run (from `startMs`). */
  perSecond(): number[];
}

export function counterSampler(o: {
  /** Base URLs of the services (their `/metrics` is read). */
  urls: readonly string[];
  metric: string;
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
  return {
    async sample() {
      const at = Date.now();
      const read = await Promise.allSettled(
        o.urls.map(async (url) => [url, counterTotal(await fetchText(`${url}/metrics`), o.metric)] as const),
      );
      let increase = 0;
      for (const r of read) {
        // A service that is down (killed by a fault run) counts nothing until it answers again.
        if (r.status === 'rejected') continue;
        const [url, total] = r.value;
        const before = last.get(url);
        last.set(url, total);
        // The first reading is the baseline; a restarted service starts its counter again at 0.
        if (before !== undefined) increase += total >= before ? total - before : total;
      }
      if (increase > 0) rates.add(increase, at);
    },
    perSecond: () => rates.perSecond(),
  };
}
