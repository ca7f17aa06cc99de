/**
 * `tsx bench/load/promotion-rates.ts <memory-samples.log> <gc-events.log> [from-s]`: how fast one
 * process's old space and ArrayBuffer bytes grew between its full collections, from the samples
 * of the memory-samples preload and the collections of the gc-events preload (both under
 * bench/load/). Prints a row per interval between two full collections that begins `from-s`
 * (10) seconds or more after the first sample, then the medians.
 *
 * The growth between full collections is what young collections promoted (old space) and the
 * Buffers that outlived them: V8 starts a full collection when the old space passes its limit,
 * or when external memory, ArrayBuffers included, has grown by 64 MB since the last one. So the
 * two rates say which flow sets the spacing of full collections, and whether a change shortened
 * the lives of objects or of Buffers.
 */
import { readFile } from 'node:fs/promises';

/** The columns of a sample this reads (the file also holds the heap used and external memory). */
interface Sample {
  at: number;
  oldSpace: number;
  arrayBuffers: number;
}

const [samplesFile, gcFile, fromArg = '10'] = process.argv.slice(2);
if (samplesFile === undefined || gcFile === undefined)
  throw new Error('usage: promotion-rates <memory-samples.log> <gc-events.log> [from-s]');

const lines = async (path: string): Promise<string[][]> =>
  (await readFile(path, 'utf8'))
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split(' '));

const samples: Sample[] = (await lines(samplesFile)).map(([at, , oldSpace, , arrayBuffers]) => ({
  at: Number(at),
  oldSpace: Number(oldSpace),
  arrayBuffers: Number(arrayBuffers),
}));
if (samples.length === 0) throw new Error(`${samplesFile}: no samples`);
const majors = (await lines(gcFile))
  .filter((fields) => fields[2] === 'major')
  .map((fields) => Number(fields[0]));

const from = samples[0]!.at + Number(fromArg) * 1000;
const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);
// A sample taken while a collection ran, or just after, would count its own effect: the window
// starts 150 ms after one full collection and ends 20 ms before the next.
const rows: { spacing: number; old: number; buffers: number }[] = [];
console.log('| full collection at s | spacing s | old space MB | MB/s | ArrayBuffers MB | MB/s |');
console.log('|---:|---:|---|---:|---|---:|');
for (let i = 0; i + 1 < majors.length; i += 1) {
  const start = majors[i]!;
  const end = majors[i + 1]!;
  if (start < from) continue;
  const window = samples.filter((s) => s.at > start + 150 && s.at < end - 20);
  if (window.length < 3) continue;
  const first = window[0]!;
  const last = window[window.length - 1]!;
  const seconds = (last.at - first.at) / 1000;
  const old = (last.oldSpace - first.oldSpace) / 1e6 / seconds;
  const buffers = (last.arrayBuffers - first.arrayBuffers) / 1e6 / seconds;
  rows.push({ spacing: (end - start) / 1000, old, buffers });
  console.log(
    `| ${((start - samples[0]!.at) / 1000).toFixed(1)} | ${((end - start) / 1000).toFixed(2)} | ` +
      `${mb(first.oldSpace)} → ${mb(last.oldSpace)} | ${old.toFixed(1)} | ` +
      `${mb(first.arrayBuffers)} → ${mb(last.arrayBuffers)} | ${buffers.toFixed(1)} |`,
  );
}
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.floor(sorted.length / 2)]!;
};
console.log(
  `\nmedians over ${rows.length} intervals: full collections every ${median(rows.map((r) => r.spacing)).toFixed(2)} s, ` +
    `old space +${median(rows.map((r) => r.old)).toFixed(1)} MB/s, ArrayBuffers +${median(rows.map((r) => r.buffers)).toFixed(1)} MB/s`,
);
