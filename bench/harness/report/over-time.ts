/**
 * A long run read interval by interval: whether throughput, latency, consumer lag, CPU and
 * resident memory hold steady or drift. A leak or a slowly growing backlog hides in a whole-run
 * summary; here it shows as a column that keeps climbing, and as the slope of each process's RSS
 * fitted over the second half of the run (after caches, JIT and stores have warmed up).
 */
import type { ProcessSample } from '../measure/process-sampler.js';
import type { RunResult } from './results.js';

export interface ProcessInterval {
  pid: number;
  meanCpuPercent: number;
  /** The largest RSS sampled in the interval. */
  maxRssBytes: number;
}

export interface IntervalRow {
  /** Seconds from the start of the load, inclusive and exclusive. */
  fromSecond: number;
  toSecond: number;
  sentPerSecond: number;
  deliveredPerSecond: number;
  /** Median over the interval's seconds of each second's p50. */
  latencyP50?: number;
  /** The worst second's p99: per-second percentiles cannot be merged into an exact one. */
  latencyP99?: number;
  maxLag: number;
  processes: ProcessInterval[];
  /** Each processor gauge's largest value in the interval (summed over the processors). */
  gauges: Record<string, number>;
}

export interface RssTrend {
  pid: number;
  name: string;
  firstRssBytes: number;
  lastRssBytes: number;
  /** Least-squares slope of RSS over the fitted window, in MiB per hour. */
  mibPerHour: number;
}

const MIB = 1024 * 1024;

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

function samplesByPid(samples: readonly ProcessSample[]): Map<number, ProcessSample[]> {
  const byPid = new Map<number, ProcessSample[]>();
  for (const s of samples) {
    const list = byPid.get(s.pid);
    if (list === undefined) byPid.set(s.pid, [s]);
    else list.push(s);
  }
  return byPid;
}

/** Seconds from the run's start of a sample taken at `atMs`. */
function secondOf(result: RunResult, atMs: number): number {
  return (atMs - Date.parse(result.startedAt)) / 1000;
}

export function intervals(result: RunResult, intervalSeconds: number): IntervalRow[] {
  if (!(intervalSeconds > 0))
    throw new RangeError(`interval must be a positive number of seconds, got ${intervalSeconds}`);
  const last = result.timeline.reduce((m, p) => Math.max(m, p.second), -1);
  const rows: IntervalRow[] = [];
  for (let from = 0; from <= last; from += intervalSeconds) {
    const to = from + intervalSeconds;
    const points = result.timeline.filter((p) => p.second >= from && p.second < to);
    const span = Math.max(1, points.length);
    const inside = (at: number): boolean => {
      const s = secondOf(result, at);
      return s >= from && s < to;
    };
    const byPid = samplesByPid(result.processes.filter((p) => inside(p.at)));
    const gauges: Record<string, number> = {};
    for (const g of (result.processorGauges ?? []).filter((x) => inside(x.at)))
      for (const [name, value] of Object.entries(g.values)) gauges[name] = Math.max(gauges[name] ?? 0, value);
    const p99s = points.flatMap((p) => (p.latencyP99 === undefined ? [] : [p.latencyP99]));
    rows.push({
      fromSecond: from,
      toSecond: Math.min(to, last + 1),
      sentPerSecond: points.reduce((a, p) => a + p.sent, 0) / span,
      deliveredPerSecond: points.reduce((a, p) => a + p.delivered, 0) / span,
      latencyP50: median(points.flatMap((p) => (p.latencyP50 === undefined ? [] : [p.latencyP50]))),
      latencyP99: p99s.length === 0 ? undefined : Math.max(...p99s),
      maxLag: result.lag.filter((l) => inside(l.at)).reduce((m, l) => Math.max(m, l.lag), 0),
      processes: [...byPid].map(([pid, samples]) => ({
        pid,
        meanCpuPercent: samples.reduce((a, s) => a + s.cpuPercent, 0) / samples.length,
        maxRssBytes: samples.reduce((m, s) => Math.max(m, s.rssBytes), 0),
      })),
      gauges,
    });
  }
  return rows;
}

/** Names of the run's processes by pid, as its CPU budget gives them. */
export function processNames(result: RunResult): Map<number, string> {
  const names = new Map<number, string>();
  for (const row of result.cpuBudget?.rows ?? []) if (row.pid !== undefined) names.set(row.pid, row.name);
  return names;
}

/** RSS slope per process over the samples from `fromFraction` of the run to its end. */
export function rssTrends(result: RunResult, fromFraction = 0.5): RssTrend[] {
  const names = processNames(result);
  const byPid = samplesByPid(result.processes);
  const trends: RssTrend[] = [];
  for (const [pid, all] of byPid) {
    const sorted = [...all].sort((a, b) => a.at - b.at);
    const start = sorted[0]!.at + (sorted[sorted.length - 1]!.at - sorted[0]!.at) * fromFraction;
    const window = sorted.filter((s) => s.at >= start);
    if (window.length < 2) continue;
    const xs = window.map((s) => (s.at - window[0]!.at) / 3_600_000);
    const ys = window.map((s) => s.rssBytes / MIB);
    const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
    const my = ys.reduce((a, b) => a + b, 0) / ys.length;
    let num = 0;
    let den = 0;
    for (let i = 0; i < xs.length; i++) {
      num += (xs[i]! - mx) * (ys[i]! - my);
      den += (xs[i]! - mx) ** 2;
    }
    trends.push({
      pid,
      name: names.get(pid) ?? `pid ${pid}`,
      firstRssBytes: window[0]!.rssBytes,
      lastRssBytes: window[window.length - 1]!.rssBytes,
      mibPerHour: den === 0 ? 0 : num / den,
    });
  }
  return trends;
}

const fmt = (v: number | undefined, digits = 0): string =>
  v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);

export function overTimeMarkdown(result: RunResult, intervalSeconds: number): string {
  const rows = intervals(result, intervalSeconds);
  const names = processNames(result);
  const pids = [...new Set(rows.flatMap((r) => r.processes.map((p) => p.pid)))];
  const label = (pid: number): string => names.get(pid) ?? `pid ${pid}`;
  const memory = (result.processorGauges ?? []).length > 0;
  const lines = [
    `## ${result.name}: every ${intervalSeconds} s`,
    '',
    `p50 is the median of the interval's per-second p50s, p99 the worst second's p99; CPU is the mean over the interval (100 = one core), RSS the largest sampled.${memory ? " The processors' V8 heap in use, memory outside it (Buffers) and store caches are the largest their /metrics gave in the interval." : ''}`,
    '',
    `| s | sent/s | delivered/s | p50 ms | p99 ms | max lag | ${pids.map((p) => `${label(p)} CPU % / RSS MiB`).join(' | ')} |${memory ? " processors' heap / external / caches MiB |" : ''}`,
    `|---|---:|---:|---:|---:|---:|${pids.map(() => '---:|').join('')}${memory ? '---:|' : ''}`,
  ];
  const gauge = (r: IntervalRow, suffix: string): string => {
    const name = Object.keys(r.gauges).find((n) => n.endsWith(suffix));
    return name === undefined ? '–' : fmt(r.gauges[name]! / MIB);
  };
  for (const r of rows) {
    const cells = pids.map((pid) => {
      const p = r.processes.find((x) => x.pid === pid);
      return p === undefined ? '–' : `${fmt(p.meanCpuPercent)} / ${fmt(p.maxRssBytes / MIB)}`;
    });
    lines.push(
      `| ${r.fromSecond}–${r.toSecond} | ${fmt(r.sentPerSecond)} | ${fmt(r.deliveredPerSecond)} | ${fmt(r.latencyP50)} | ${fmt(r.latencyP99)} | ${r.maxLag} | ${cells.join(' | ')} |${memory ? ` ${gauge(r, 'heap_size_used_bytes')} / ${gauge(r, 'external_memory_bytes')} / ${gauge(r, 'cache_bytes')} |` : ''}`,
    );
  }
  lines.push('', 'RSS over the second half of the run (least-squares slope):', '');
  lines.push('| process | RSS at its start MiB | at the end MiB | slope MiB/hour |', '|---|---:|---:|---:|');
  for (const t of rssTrends(result)) {
    lines.push(
      `| ${t.name} | ${fmt(t.firstRssBytes / MIB)} | ${fmt(t.lastRssBytes / MIB)} | ${fmt(t.mibPerHour, 1)} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
