import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { NotifyProcessor } from '../../processors/index.js';
import type { Config } from '../config/index.js';
import type { StreamThreadData, ThreadMessage, ThreadRequest } from './stream-thread-protocol.js';

type EventsOf = NotifyProcessor['eventsOf'];
/** A request before it is numbered (Omit over each member of the union). */
type Unnumbered<T> = T extends unknown ? Omit<T, 'id'> : never;
type EventsFound = Awaited<ReturnType<EventsOf>>;

/** How long a stream thread may take to answer a request from the process's own thread. */
const REPLY_TIMEOUT_MS = 10_000;
/** A start waits for the group and the global tables: the runtime bounds it itself (startTimeoutMs). */
const START_TIMEOUT_MS = 600_000;

export interface StreamThreadState {
  thread: number;
  state: string;
  error?: string;
}

/** The stream threads a processor instance runs beside its own (threads 1 .. PROCESSOR_THREADS - 1). */
export interface StreamThreads {
  start(): Promise<void>;
  states(): StreamThreadState[];
  /** Each thread's registry as `getMetricsAsJSON()` gives it, to merge with the process's own. */
  metrics(): Promise<unknown[]>;
  /** The `$events` source of a partition run by one of these threads, if one runs it. */
  eventsSource(partition: number): Promise<{ eventsOf: EventsOf } | undefined>;
  stop(): Promise<void>;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

class StreamThread {
  state: StreamThreadState;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  readonly booted: Promise<void>;
  private exited = false;

  constructor(
    private readonly worker: Worker,
    readonly thread: number,
    private readonly logger: Logger,
  ) {
    this.state = { thread, state: 'starting' };
    this.booted = new Promise<void>((resolve, reject) => {
      worker.on('message', (message: ThreadMessage) => {
        if (message.kind === 'state') {
          this.state = { thread, state: message.state, ...(message.error ? { error: message.error } : {}) };
        } else if (message.kind === 'booted') {
          resolve();
        } else if (message.kind === 'boot-failed') {
          reject(new Error(`stream thread ${thread} could not start: ${message.error}`));
        } else {
          const pending = this.pending.get(message.id);
          if (!pending) return;
          this.pending.delete(message.id);
          clearTimeout(pending.timer);
          if (message.error !== undefined)
            pending.reject(new Error(`stream thread ${thread}: ${message.error}`));
          else pending.resolve(message.value);
        }
      });
      worker.on('error', (error) => {
        this.logger.error({ err: error, thread }, 'stream thread failed');
        this.state = { thread, state: 'failed', error: error.message };
        reject(error);
      });
      worker.on('exit', (code) => {
        this.exited = true;
        if (this.state.state !== 'stopped' && this.state.state !== 'failed') {
          this.state = { thread, state: 'failed', error: `stream thread exited with code ${code}` };
          this.logger.error({ thread, code }, 'stream thread exited');
        }
        reject(new Error(`stream thread ${thread} exited with code ${code}`));
        for (const [id, pending] of this.pending) {
          clearTimeout(pending.timer);
          pending.reject(new Error(`stream thread ${thread} exited`));
          this.pending.delete(id);
        }
      });
    });
    // Awaited by startStreamThreads; a later failure shows in the state, not as an unhandled rejection.
    this.booted.catch(() => undefined);
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

  async stop(): Promise<void> {
    if (!this.exited) {
      try {
        await this.request({ kind: 'stop' });
      } catch (error) {
        this.logger.warn({ err: error, thread: this.thread }, 'stream thread did not stop cleanly');
      }
    }
    this.state = { thread: this.thread, state: 'stopped' };
    await this.worker.terminate();
  }
}

/**
 * The worker: the compiled entry, or (tests, run from the TypeScript sources) a bootstrap that
 * registers tsx in the worker before importing the source entry.
 */
function spawn(data: StreamThreadData): Worker {
  const options = { workerData: data, name: `substream-stream-thread-${data.thread}` };
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL('./stream-thread.js', import.meta.url), options);
  const source = new URL('./stream-thread.ts', import.meta.url).href;
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(source)}); })`;
  return new Worker(bootstrap, { ...options, eval: true });
}

/**
 * Boots `count` stream threads of the processor (numbered from 1; the calling thread is 0): each
 * loads its modules and builds its topology. `start()` then starts them all at once (with the
 * process's own thread), so that they join the group together rather than take partitions from
 * each other as they come; it resolves once each has joined and started its tasks.
 */
export async function bootStreamThreads(o: {
  config: Config;
  partitions: number;
  count: number;
  logger: Logger;
}): Promise<StreamThreads> {
  const threads: StreamThread[] = [];
  for (let thread = 1; thread <= o.count; thread++) {
    const data: StreamThreadData = {
      config: o.config,
      thread,
      partitions: o.partitions,
      logLevel: o.logger.level,
    };
    threads.push(new StreamThread(spawn(data), thread, o.logger));
  }
  try {
    await Promise.all(threads.map((t) => t.booted));
  } catch (error) {
    await Promise.all(threads.map((t) => t.stop()));
    throw error;
  }
  return {
    start: async () => {
      await Promise.all(threads.map((t) => t.request({ kind: 'start' }, START_TIMEOUT_MS)));
    },
    states: () => threads.map((t) => t.state),
    metrics: () => Promise.all(threads.map((t) => t.request({ kind: 'metrics' }))),
    async eventsSource(partition) {
      for (const t of threads) {
        if (t.state.state === 'failed' || t.state.state === 'stopped') continue;
        if ((await t.request({ kind: 'owns', partition })) !== true) continue;
        return {
          eventsOf: async (subscriptionId, tenant, query) => {
            const answer = (await t.request({
              kind: 'events',
              partition,
              subscriptionId,
              tenant,
              query: {
                ...(query.since !== undefined ? { since: query.since } : {}),
                ...(query.until !== undefined ? { until: query.until } : {}),
              },
            })) as { owned: boolean; found?: string };
            if (!answer.owned) throw new Error(`partition ${partition} moved off stream thread ${t.thread}`);
            return answer.found === undefined ? undefined : (JSON.parse(answer.found) as EventsFound);
          },
        };
      }
      return undefined;
    },
    stop: async () => {
      await Promise.all(threads.map((t) => t.stop()));
    },
  };
}
