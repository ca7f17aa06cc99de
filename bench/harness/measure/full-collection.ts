/**
 * One full garbage collection of this thread, now. Generating a long run's changes leaves hundreds
 * of MB of garbage in the harness's heap; left alone, V8 collects it during the load, and a pause of
 * half a second in the thread that receives the notifications shows as half a second of latency
 * (a 15-minute run: 636 ms at its 105th second, its worst second). Collecting before the load
 * starts keeps that out of the measurement.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | undefined;

export function collectGarbageNow(): void {
  if (gc === undefined) {
    // --expose-gc set at run time gives a fresh context a `gc` function.
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}
