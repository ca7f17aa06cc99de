/**
 * Starts a harness worker thread from a module beside the caller: its `.ts` source when the harness
 * runs from source (tsx), its built `.js` otherwise. Loader hooks given on the command line do not
 * reach worker threads on Node 20, so from source the thread imports its entry through tsx's API.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** `name` is the module's path relative to `callerUrl` without its extension, e.g. `./receiver-thread`. */
export function startHarnessWorker(callerUrl: string, name: string, options: WorkerOptions = {}): Worker {
  const fromSource = callerUrl.endsWith('.ts');
  const entry = new URL(`${name}.${fromSource ? 'ts' : 'js'}`, callerUrl);
  if (!fromSource) return new Worker(entry, options);
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const code = `import(${tsx}).then((tsx) => tsx.tsImport(${JSON.stringify(entry.href)}, ${JSON.stringify(callerUrl)}))`;
  return new Worker(code, { ...options, eval: true });
}
