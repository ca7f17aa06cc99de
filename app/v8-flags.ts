/**
 * V8 settings the `substream` command applies to its own process before the application loads.
 *
 * Allocation-site pretenuring is turned off. V8 allocates an allocation site's objects straight in
 * the old generation once most of them have outlived a young collection, and Node's Buffers come
 * from a few shared sites, so the long-lived ones (store caches, writes pending until the commit)
 * can send short-lived ones there too: only a full collection frees them, and their bytes count
 * towards the external-memory limit that starts one. At 5,000 changes/s the processor's Buffers
 * then grew by 34 MB/s between full collections, one every 2.0 s; without pretenuring 22 MB/s, one
 * every 2.9 s, and a shorter latency tail (bench/results/load-targets.md).
 */
import { setFlagsFromString } from 'node:v8';

const PRETENURING = /^--(no-)?allocation[-_]site[-_]pretenuring$/;

/** The flags to set, given the process's own (a setting given on the command line is kept). */
export function runtimeV8Flags(execArgv: readonly string[]): string[] {
  return execArgv.some((arg) => PRETENURING.test(arg)) ? [] : ['--no-allocation-site-pretenuring'];
}

/** Sets them; before the application's modules load, so that no code has been compiled with V8's default. */
export function applyRuntimeV8Flags(execArgv: readonly string[] = process.execArgv): void {
  for (const flag of runtimeV8Flags(execArgv)) setFlagsFromString(flag);
}
