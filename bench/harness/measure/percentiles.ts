/** Exact percentiles over recorded values (sorted copy, nearest-rank), with a summary. */
export interface Summary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of an ascending array; NaN for an empty one. */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  if (p < 0 || p > 100) throw new RangeError(`percentile ${p} is outside 0..100`);
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

export function summarize(values: Iterable<number>): Summary {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return { count: 0, min: NaN, mean: NaN, p50: NaN, p90: NaN, p99: NaN, max: NaN };
  let total = 0;
  for (const v of sorted) total += v;
  return {
    count: sorted.length,
    min: sorted[0] as number,
    mean: total / sorted.length,
    p50: percentileOfSorted(sorted, 50),
    p90: percentileOfSorted(sorted, 90),
    p99: percentileOfSorted(sorted, 99),
    max: sorted[sorted.length - 1] as number,
  };
}

/**
 * Latency summary of event notifications, optionally leaving some subscriptions out (to compare
 * the other subscribers' p99 during a fault with a run without it).
 */
export function latencySummary(
  arrivals: readonly { type: string; subscriptionId: string; latencyMs?: number }[],
  options: { exclude?: ReadonlySet<string> } = {},
): Summary {
  const values: number[] = [];
  for (const a of arrivals) {
    if (a.type !== 'event-notification' || a.latencyMs === undefined) continue;
    if (options.exclude?.has(a.subscriptionId)) continue;
    values.push(a.latencyMs);
  }
  return summarize(values);
}
