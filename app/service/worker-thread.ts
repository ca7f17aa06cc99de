import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { StreamThreadData, ThreadMessage, ThreadRequest } from './stream-thread-protocol.js';
import type { StreamThreadState, ThreadIncarnation } from './thread-supervisor.js';

/** How long a stream thread may take to answer a request from the process's own thread. */
const REPLY_TIMEOUT_MS = 10_000;
/** A start waits for the group and the global tables: the runtime bounds it itself (startTimeoutMs). */
const START_TIMEOUT_MS = 600_000;

/** A request before it is numbered (Omit over each member of the union). */
type Unnumbered<T> = T extends unknown ? Omit<T, 'id'> : never;

/** What the process's own thread uses of a worker thread (node:worker_threads' Worker has it). */
export interface ThreadWorker {
  postMessage(message: ThreadRequest): void;
  terminate(): Promise<number>;
  on(event: 'message', listener: (message: ThreadMessage) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
}

/** Starts the worker of a stream thread. */
export type SpawnStreamThread = (data: StreamThreadData) => ThreadWorker;

/**
 * The worker: the compiled entry, or (tests, run from the TypeScript sources) a bootstrap that
 * registers tsx in the worker before importing the source entry.
 */
export const spawnStreamThread: SpawnStreamThread = (data) => {
  const options = { workerData: data, name: `substream-stream-thread-${data.thread}` };
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL('./stream-thread.js', import.meta.url), options);
  const source = new URL('./stream-thread.ts', import.meta.url).href;
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(source)}); })`;
  return new Worker(bootstrap, { ...options, eval: true });
};

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * The process's side of one worker stream thread: requests over its message port, its state as
 * it reports it, and its end (its streams failed, or the worker exited without being stopped).
 */
export class WorkerStreamThread implements ThreadIncarnation {
  state: StreamThreadState;
  readonly booted: Promise<void>;
  readonly ended: Promise<Error>;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private exited = false;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly worker: ThreadWorker,
    readonly thread: number,
    private readonly logger: Logger,
  ) {
    this.state = { thread, state: 'starting' };
    let end!: (error: Error) => void;
    this.ended = new Promise<Error>((resolve) => (end = resolve));
    this.booted = new Promise<void>((resolve, reject) => {
      worker.on('message', (message: ThreadMessage) => {
        if (message.kind === 'state') {
          this.state = { thread, state: message.state, ...(message.error ? { error: message.error } : {}) };
          if (message.state === 'failed') end(new Error(message.error ?? 'its streams failed'));
        } else if (message.kind === 'booted') {
          resolve();
        } else if (message.kind === 'boot-failed') {
          reject(new Error(`stream thread ${thread} could not start: ${message.error}`));
        } else {
          this.settle(message);
        }
      });
      worker.on('error', (error) => {
        this.logger.error({ err: error, thread }, 'stream thread failed');
        this.state = { thread, state: 'failed', error: error.message };
        end(error);
        reject(error);
      });
      worker.on('exit', (code) => {
        this.exited = true;
        if (this.stopping === undefined && this.state.state !== 'failed') {
          this.state = { thread, state: 'failed', error: `stream thread exited with code ${code}` };
          this.logger.error({ thread, code }, 'stream thread exited');
        }
        if (this.stopping === undefined) end(new Error(`stream thread ${thread} exited with code ${code}`));
        reject(new Error(`stream thread ${thread} exited with code ${code}`));
        for (const [id, pending] of this.pending) {
          clearTimeout(pending.timer);
          pending.reject(new Error(`stream thread ${thread} exited`));
          this.pending.delete(id);
        }
      });
    });
    // Awaited by start(); a later failure shows in the state and in `ended`, not as an unhandled rejection.
    this.booted.catch(() => undefined);
  }

  /** Whether requests can be answered: the worker has not exited, nor been asked to stop. */
  get live(): boolean {
    return !this.exited && this.stopping === undefined;
  }

  /** Once booted, joins the group and starts its tasks. */
  async start(): Promise<void> {
    await this.booted;
    await this.request({ kind: 'start' }, START_TIMEOUT_MS);
  }

  request(message: Unnumbered<ThreadRequest>, timeoutMs = REPLY_TIMEOUT_MS): Promise<unknown> {
    if (this.exited) return Promise.reject(new Error(`stream thread ${this.thread} is not running`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`stream thread ${this.thread} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.worker.postMessage({ ...message, id } as ThreadRequest);
    });
  }

  /** Idempotent: asks the thread to stop (commits, closes its stores), then ends the worker. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (!this.exited) {
        try {
          await this.request({ kind: 'stop' });
        } catch (error) {
          this.logger.warn({ err: error, thread: this.thread }, 'stream thread did not stop cleanly');
        }
      }
      this.state = { thread: this.thread, state: 'stopped' };
      // A crashed worker left the tasks it had open marked so: its replacement restores their
      // stores from the changelogs (TaskStores), as after any process that died.
      await this.worker.terminate();
    })();
    return this.stopping;
  }

  private settle(reply: Extract<ThreadMessage, { kind: 'reply' }>): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    clearTimeout(pending.timer);
    if (reply.error !== undefined) pending.reject(new Error(`stream thread ${this.thread}: ${reply.error}`));
    else pending.resolve(reply.value);
  }
}
