/**
 * Stream threads without workers: a fake worker that answers the process's requests as a stream
 * thread would (booted, started and running, metrics, stopped), and can fail or exit on demand;
 * and `bootFakeThreads`, which boots a processor's stream threads over such workers.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, vi } from 'vitest';
import type { ConfigInput } from '../../app/config/index.js';
import { configSchema } from '../../app/config/index.js';
import { createLogger } from '../../app/observability/index.js';
import type {
  StreamThreadData,
  ThreadMessage,
  ThreadRequest,
} from '../../app/service/stream-thread-protocol.js';
import { bootStreamThreads, type StreamThreads } from '../../app/service/stream-threads.js';
import type { StreamThreadFailure } from '../../app/service/thread-supervisor.js';
import { threadReplacementsCounter } from '../../app/service/thread-supervisor.js';
import type { ThreadWorker } from '../../app/service/worker-thread.js';

export class FakeWorker extends EventEmitter implements ThreadWorker {
  readonly requests: ThreadRequest['kind'][] = [];
  terminated = false;
  /** What it answers to `metrics` (a registry's `getMetricsAsJSON()`); a stand-in by default. */
  metricsValue: unknown[] | undefined;

  /** `bootFails`: it cannot load or connect, and ends (as a worker does after `boot-failed`). */
  constructor(
    readonly data: StreamThreadData,
    bootFails = false,
  ) {
    super();
    queueMicrotask(() => {
      if (!bootFails) return this.send({ kind: 'booted' });
      this.send({ kind: 'boot-failed', error: 'broker unreachable' });
      this.exit(1);
    });
  }

  postMessage(request: ThreadRequest): void {
    this.requests.push(request.kind);
    queueMicrotask(() => {
      if (request.kind === 'start') this.send({ kind: 'state', state: 'running' });
      if (request.kind === 'stop') this.send({ kind: 'state', state: 'stopped' });
      const value =
        request.kind === 'metrics'
          ? (this.metricsValue ?? [{ name: `thread_${this.data.thread}` }])
          : undefined;
      this.send({ kind: 'reply', id: request.id, value });
    });
  }

  async terminate(): Promise<number> {
    if (!this.terminated) {
      this.terminated = true;
      this.emit('exit', 1);
    }
    return 1;
  }

  /** Its streams end in `failed` (a non-retriable error). */
  fail(error: string): void {
    this.send({ kind: 'state', state: 'failed', error });
  }

  /** The worker ends by itself (an uncaught exception, out of memory). */
  exit(code: number): void {
    this.terminated = true;
    this.emit('exit', code);
  }

  private send(message: ThreadMessage): void {
    if (!this.terminated) this.emit('message', message);
  }
}

export interface FakeThreads {
  threads: StreamThreads;
  /** Every worker spawned, in order (replacements after the first ones). */
  workers: FakeWorker[];
  failures: StreamThreadFailure[];
  /** substream_stream_thread_replacements_total of `thread`. */
  replacements(thread: number): Promise<number>;
}

/**
 * Boots `count` stream threads over fake workers (nothing started yet); `bootFails` tells which
 * workers (by their index in `workers`) fail to boot.
 */
export async function bootFakeThreads(
  count: number,
  settings: Partial<ConfigInput> = {},
  bootFails: (index: number) => boolean = () => false,
): Promise<FakeThreads> {
  const workers: FakeWorker[] = [];
  const failures: StreamThreadFailure[] = [];
  const registry = new Registry();
  const dataDir = mkdtempSync(join(tmpdir(), 'substream-fake-threads-'));
  const threads = await bootStreamThreads({
    config: configSchema.parse({
      KAFKA_BROKERS: '127.0.0.1:9092',
      DATA_DIR: dataDir,
      PROCESSOR_THREADS: count + 1,
      ...settings,
    }),
    partitions: 4,
    count,
    logger: createLogger('silent'),
    replacements: threadReplacementsCounter(registry),
    onFatal: (failure) => failures.push(failure),
    spawn: (data) => {
      const worker = new FakeWorker(data, bootFails(workers.length));
      workers.push(worker);
      return worker;
    },
  });
  return {
    threads,
    workers,
    failures,
    replacements: async (thread) => {
      const metric = (await registry.getMetricsAsJSON()).find(
        (m) => m.name === 'substream_stream_thread_replacements_total',
      );
      return metric?.values.find((v) => v.labels.thread === String(thread))?.value ?? 0;
    },
  };
}

/**
 * Fake timers in every test of the file (setImmediate stays real: see untilWaiting); `noJitter`:
 * back-off waits exactly as set (500, 1000 ... ms).
 */
export function fakeTimersPerTest({ noJitter = false } = {}): void {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    if (noJitter) vi.spyOn(Math, 'random').mockReturnValue(0.5);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });
}

/**
 * Waits until a timer is set: the back-off of a replacement after a crash starts once the crashed
 * thread's task state is removed, by real file-system work that fake timers do not drive.
 */
export async function untilWaiting(): Promise<void> {
  for (let turn = 0; vi.getTimerCount() === 0; turn++) {
    if (turn > 100_000) throw new Error('no back-off wait started');
    await new Promise((resolve) => setImmediate(resolve));
  }
}
