/**
 * `tsx bench/load/latency-vs-gc.ts <arrivals.csv> <gc-events.log> [from-s] [to-s] [bucket-ms]`:
 * lines a load run's latency up with one process's garbage collections. The arrivals come from
 * `run-target.sh` with `ARRIVALS=1` (bench:load --arrivals), the collections from the
 * `gc-events` preload (bench/load/gc-events.ts). Prints, per bucket of arrival time (100 ms),
 * the notifications that arrived, their largest latency and the major and incremental collections
 * that began in it with their durations; then the largest latency in the buckets with and
 * without a major collection in the 300 ms before.
 */
import { readFile } from 'node:fs/promises';

const [arrivalsFile, gcFile, fromArg = '10', toArg = '30', bucketArg = '100'] = process.argv.slice(2);
if (arrivalsFile === undefined || gcFile === undefined)
  throw new Error('usage: latency-vs-gc <arrivals.csv> <gc-events.log> [from-s] [to-s] [bucket-ms]');
const bucketMs = Number(bucketArg);

const arrivals = (await readFile(arrivalsFile, 'utf8'))
  .split('\n')
  .slice(1)
  .filter((line) => line !== '')
  .map((line) => {
    const [arrivedAt, latencyMs] = line.split(',');
    return { arrivedAt: Number(arrivedAt), latencyMs: Number(latencyMs) };
  })
  .filter((a) => Number.isFinite(a.latencyMs));
const gcs = (await readFile(gcFile, 'utf8'))
  .split('\n')
  .filter((line) => line !== '')
  .map((line) => {
    const [at, duration, kind] = line.split(' ');
    return { at: Number(at), durationMs: Number(duration), kind: kind ?? '' };
  });
if (arrivals.length === 0) throw new Error(`${arrivalsFile}: no arrivals with a latency`);

// Seconds are counted from the first arrival, rounded down to a whole second.
const origin = Math.floor(arrivals[0]!.arrivedAt / 1000) * 1000;
const from = origin + Number(fromArg) * 1000;
const to = origin + Number(toArg) * 1000;
const bucketOf = (t: number): number => Math.floor((t - origin) / bucketMs);
const buckets = new Map<number, { count: number; max: number }>();
for (const a of arrivals) {
  if (a.arrivedAt < from || a.arrivedAt >= to) continue;
  const b = buckets.get(bucketOf(a.arrivedAt)) ?? { count: 0, max: 0 };
  b.count++;
  b.max = Math.max(b.max, a.latencyMs);
  buckets.set(bucketOf(a.arrivedAt), b);
}
const collections = gcs.filter((g) => g.kind === 'major' || g.kind === 'incremental');
const majors = gcs.filter((g) => g.kind === 'major' && g.at >= from - 1000 && g.at < to);

console.log(`| s | arrivals | max latency ms | collections (ms) |`);
console.log(`|---:|---:|---:|---|`);
const keys = [...buckets.keys()].sort((a, b) => a - b);
for (const k of keys) {
  const b = buckets.get(k)!;
  const start = origin + k * bucketMs;
  const here = collections
    .filter((g) => g.at >= start && g.at < start + bucketMs)
    .map((g) => `${g.kind} ${g.durationMs.toFixed(0)}`);
  console.log(`| ${((k * bucketMs) / 1000).toFixed(1)} | ${b.count} | ${b.max} | ${here.join(', ')} |`);
}

const after = (k: number): boolean => {
  const start = origin + k * bucketMs;
  return majors.some((g) => g.at <= start + bucketMs && g.at > start - 300);
};
const maxOf = (ks: number[]): number => ks.reduce((m, k) => Math.max(m, buckets.get(k)!.max), 0);
const near = keys.filter(after);
const far = keys.filter((k) => !after(k));
const median = (ks: number[]): number => {
  const v = ks.map((k) => buckets.get(k)!.max).sort((a, b) => a - b);
  return v[Math.floor(v.length / 2)] ?? 0;
};
console.log(
  `\n${majors.length} major collections; buckets within 300 ms after one: ${near.length}, their largest latency ` +
    `median ${median(near)} ms, max ${maxOf(near)} ms; the other ${far.length} buckets: median ${median(far)} ms, max ${maxOf(far)} ms`,
);
