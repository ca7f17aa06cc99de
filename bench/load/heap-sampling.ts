/**
 * A preload for a process under load: `node --import ./dist/bench/load/heap-sampling.js ...` (the
 * built file) runs V8's sampling heap profiler from start to exit and writes the profile to
 * `$HEAP_SAMPLING_FILE` (default `heap-<pid>.heapprofile`; Chrome DevTools opens it, and
 * bench/load/heap-profile-summary.ts sums it by allocation site).
 *
 * By default the profile keeps the samples of objects a full collection freed and drops those a
 * young-generation collection freed: what it shows is what was promoted to the old generation
 * (and died there, or lives on). That is the memory that makes full collections come; garbage
 * that dies young costs only the cheap collections. `HEAP_SAMPLING_MINOR=1` keeps those too (all
 * allocation), `HEAP_SAMPLING_INTERVAL` sets the mean bytes between samples (default 2048).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const file = process.env['HEAP_SAMPLING_FILE'] ?? `heap-${process.pid}.heapprofile`;
const session = new Session();
session.connect();
// An in-process session answers synchronously: the callbacks below have run when post returns.
session.post(
  'HeapProfiler.startSampling',
  {
    samplingInterval: Number(process.env['HEAP_SAMPLING_INTERVAL'] ?? 2048),
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: process.env['HEAP_SAMPLING_MINOR'] === '1',
  },
  (error) => {
    if (error) throw new Error(`heap sampling did not start: ${error.message}`);
  },
);

process.on('exit', () => {
  session.post('HeapProfiler.stopSampling', (error, result) => {
    if (error) throw new Error(`heap sampling did not stop: ${error.message}`);
    writeFileSync(file, JSON.stringify(result.profile));
  });
});
