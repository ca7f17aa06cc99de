/**
 * Results of a run: a JSON file with everything measured, a short markdown table, and an SVG plot
 * of throughput and latency over the run, all under bench/results/ with a common name.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Counts } from '../measure/accounting.js';
import type { GaugeSample } from '../measure/counter-sampler.js';
import type { CpuBudget } from '../measure/cpu-budget.js';
import type { LagSample } from '../measure/lag-sampler.js';
import type { Summary } from '../measure/percentiles.js';
import type { ProcessSample } from '../measure/process-sampler.js';
import type { TimelinePoint } from '../measure/timeline.js';
import { renderChart } from './svg-plot.js';

export interface RunResult {
  name: string;
  startedAt: string;
  /** What was asked: rate, duration, subscriptions, transport, topic... */
  settings: Record<string, string | number | boolean>;
  /** Free-form facts about the environment, e.g. that the machine was shared. */
  notes: string[];
  sent: number;
  sentRatePerSecond: number;
  deliveredRatePerSecond: number;
  latencyMs: Summary;
  /**
   * Latency of the changes that occurred after the first `warmupSeconds` of load: a process that
   * has just started (JIT, empty caches) is slower than one that has been running.
   */
  steady?: { warmupSeconds: number; latencyMs: Summary };
  counts: Counts;
  timeline: TimelinePoint[];
  processes: ProcessSample[];
  lag: LagSample[];
  /** Memory gauges of the processors' `/metrics` (heap, external memory, store caches), summed over them, each second. */
  processorGauges?: GaugeSample[];
  /** CPU time of the named processes and of the machine over the load and its drain. */
  cpuBudget?: CpuBudget;
}

export interface WrittenResult {
  json: string;
  markdown: string;
  svg: string;
}

const fmt = (v: number, digits = 1): string => (Number.isFinite(v) ? v.toFixed(digits) : '–');

export function markdownTable(result: RunResult): string {
  const l = result.latencyMs;
  const c = result.counts;
  const cpu = new Map<number, { cpu: number[]; rss: number }>();
  for (const s of result.processes) {
    const entry = cpu.get(s.pid) ?? { cpu: [], rss: 0 };
    entry.cpu.push(s.cpuPercent);
    entry.rss = Math.max(entry.rss, s.rssBytes);
    cpu.set(s.pid, entry);
  }
  const maxLag = result.lag.reduce((m, s) => Math.max(m, s.lag), 0);
  const lines = [
    `## ${result.name} (${result.startedAt})`,
    '',
    `Settings: ${Object.entries(result.settings)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(', ')}`,
    ...result.notes.map((n) => `Note: ${n}`),
    '',
    '| asked/s | changes sent | sent/s | delivered/s | p50 ms | p99 ms | max ms | expected | delivered | missing | duplicate | out-of-order | max lag |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| ${String(result.settings.rate ?? '–')} | ${result.sent} | ${fmt(result.sentRatePerSecond, 0)} | ${fmt(result.deliveredRatePerSecond, 0)} | ${fmt(l.p50)} | ${fmt(l.p99)} | ${fmt(l.max)} | ${c.expected} | ${c.delivered} | ${c.missing} | ${c.duplicate} | ${c.outOfOrder} | ${maxLag} |`,
  ];
  if (result.steady !== undefined) {
    const w = result.steady.latencyMs;
    lines.push(
      '',
      `Changes that occurred after the first ${result.steady.warmupSeconds} s of load (${w.count} notifications): p50 ${fmt(w.p50)} ms, p99 ${fmt(w.p99)} ms, max ${fmt(w.max)} ms.`,
    );
  }
  if (cpu.size > 0) {
    lines.push('', '| pid | mean CPU % | max CPU % | max RSS MiB |', '|---:|---:|---:|---:|');
    for (const [pid, e] of cpu) {
      const mean = e.cpu.reduce((a, b) => a + b, 0) / e.cpu.length;
      lines.push(`| ${pid} | ${fmt(mean)} | ${fmt(Math.max(...e.cpu))} | ${fmt(e.rss / 1048576)} |`);
    }
  }
  if (result.cpuBudget !== undefined) lines.push('', ...cpuBudgetLines(result.cpuBudget));
  return lines.join('\n') + '\n';
}

/** A CPU budget as a markdown table and the capacity it implies. */
export function cpuBudgetLines(b: CpuBudget, window = 'the load and its drain'): string[] {
  const row = (r: CpuBudget['rows'][number]): string =>
    `| ${r.name}${r.pid !== undefined ? ` (${r.pid})` : ''} | ${fmt(r.cpuSeconds)} | ${fmt(r.corePercent)} | ${fmt(r.microsPerChange, 0)} |`;
  return [
    `CPU over ${window} (${fmt(b.windowSeconds)} s, ${b.changes} changes, ${b.cores} cores):`,
    '',
    '| process | CPU s | % of a core | CPU µs per change |',
    '|---|---:|---:|---:|',
    ...b.rows.map(row),
    row(b.other),
    row(b.machine),
    '',
    `At ${fmt(b.machine.microsPerChange, 0)} CPU µs per change, the machine's ${b.cores} cores would carry about ${fmt(b.capacityPerSecond, 0)} changes/s with everything above on them.`,
  ];
}

export function runChart(result: RunResult): string {
  const t = result.timeline;
  return renderChart({
    title: `${result.name}: throughput and latency`,
    xLabel: 'seconds since start',
    panels: [
      {
        title: 'Throughput',
        yLabel: 'per second',
        series: [
          { name: 'changes sent', color: '#1f77b4', points: t.map((p) => ({ x: p.second, y: p.sent })) },
          ...(t.some((p) => p.processed !== undefined)
            ? [
                {
                  name: 'changes processed',
                  color: '#9467bd',
                  points: t.map((p) => ({ x: p.second, y: p.processed })),
                },
              ]
            : []),
          {
            name: 'notifications',
            color: '#2ca02c',
            points: t.map((p) => ({ x: p.second, y: p.delivered })),
          },
        ],
      },
      {
        title: 'Change-to-delivery latency',
        yLabel: 'milliseconds',
        series: [
          { name: 'p50', color: '#ff7f0e', points: t.map((p) => ({ x: p.second, y: p.latencyP50 })) },
          { name: 'p99', color: '#d62728', points: t.map((p) => ({ x: p.second, y: p.latencyP99 })) },
        ],
      },
    ],
  });
}

/** Writes `<dir>/<name>.json`, `.md` and `.svg`; returns their paths. */
export async function writeResult(result: RunResult, dir: string): Promise<WrittenResult> {
  await mkdir(dir, { recursive: true });
  const base = join(dir, result.name);
  const written = { json: `${base}.json`, markdown: `${base}.md`, svg: `${base}.svg` };
  await writeFile(written.json, JSON.stringify(result, null, 2) + '\n');
  await writeFile(written.markdown, markdownTable(result));
  await writeFile(written.svg, runChart(result));
  return written;
}
