/**
 * A preload for a process under load: `node --import ./dist/bench/load/gc-events.js ...` (the
 * built file) appends every garbage collection to `$GC_EVENTS_FILE` (default
 * `gc-events-<pid>.log` in the working directory) as `<wall-clock ms> <duration ms> <kind>`, kind
 * being major, minor, incremental or weakcb. `--trace-gc` gives times since the process started,
 * which cannot be lined up with a run's arrivals; these can (bench/load/latency-vs-gc.ts).
 */
import { appendFileSync } from 'node:fs';
import { constants, PerformanceObserver, performance, type PerformanceEntry } from 'node:perf_hooks';

const file = process.env['GC_EVENTS_FILE'] ?? `gc-events-${process.pid}.log`;
const kinds = new Map<number, string>([
  [constants.NODE_PERFORMANCE_GC_MAJOR, 'major'],
  [constants.NODE_PERFORMANCE_GC_MINOR, 'minor'],
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL, 'incremental'],
  [constants.NODE_PERFORMANCE_GC_WEAKCB, 'weakcb'],
]);

new PerformanceObserver((list) => {
  const lines = list.getEntries().map((entry: PerformanceEntry) => {
    const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
    const at = Math.round(performance.timeOrigin + entry.startTime);
    return `${at} ${entry.duration.toFixed(2)} ${kinds.get(kind ?? -1) ?? String(kind)}\n`;
  });
  // Synchronous and small: a few lines per collection, written while the process runs on.
  appendFileSync(file, lines.join(''));
}).observe({ entryTypes: ['gc'] });
