/**
 * A preload for a process under load: `node --import ./dist/bench/load/memory-samples.js ...`
 * (the built file) appends a sample of its memory every `$MEMORY_SAMPLES_MS` (20) ms to
 * `$MEMORY_SAMPLES_FILE` (default `memory-samples-<pid>.log` in the working directory), one line
 * each: `<wall-clock ms> <V8 heap used> <old space used> <external> <ArrayBuffers>`, in bytes.
 *
 * Between two full collections, the old space grows by what young collections promoted, and the
 * ArrayBuffer bytes by the Buffers that outlived them (besides what is still young): what starts
 * the next full collection, V8 starting one when either has grown past its limit.
 * `bench/load/promotion-rates.ts` reads these with the gc-events log of the same process.
 */
import { appendFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';

const file = process.env['MEMORY_SAMPLES_FILE'] ?? `memory-samples-${process.pid}.log`;
const everyMs = Number(process.env['MEMORY_SAMPLES_MS'] ?? '20');
let lines: string[] = [];

const timer = setInterval(() => {
  const usage = process.memoryUsage();
  const old = getHeapSpaceStatistics().find((space) => space.space_name === 'old_space');
  lines.push(
    `${Date.now()} ${usage.heapUsed} ${old?.space_used_size ?? 0} ${usage.external} ${usage.arrayBuffers}`,
  );
  // Written in blocks of a second: a write per sample would be work of its own in the profile.
  if (lines.length * everyMs >= 1000) {
    appendFileSync(file, `${lines.join('\n')}\n`);
    lines = [];
  }
}, everyMs);
timer.unref();
process.on('exit', () => {
  if (lines.length > 0) appendFileSync(file, `${lines.join('\n')}\n`);
});
