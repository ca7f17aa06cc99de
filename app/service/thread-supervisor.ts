import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { RestartBackoff } from '../../topology/index.js';

/** STREAM_FAILURE_POLICY: what ends a stream thread's failure (Kafka Streams' uncaught-exception handler). */
export type StreamFailurePolicy = 'replace-thread' | 'shutdown-client';

/** A stream thread that failed (a non-retriable error) or exited, and why. */
export interface StreamThreadFailure {
  thread: number;
  error: Error;
}

export interface StreamThreadState {
  thread: number;
  state: string;
  error?: string;
}

/** One run of a stream thread, from its start to its end, as its supervisor drives it. */
export interface ThreadIncarnation {
  /** Joins the group and starts its tasks; rejects when it could not. */
  start(): Promise<void>;
  /** Settles when it failed or exited by itself (never because of stop()), with the reason. */
  readonly ended: Promise<Error>;
  /** Stops it and releases what it holds; idempotent. */
  stop(): Promise<void>;
}

export interface ThreadSupervisorOptions<T extends ThreadIncarnation> {
  thread: number;
  policy: StreamFailurePolicy;
  /** The streams runtime's restart back-off (restartBackoffMs doubling up to restartBackoffMaxMs). */
  backoff: { firstMs: number; maxMs: number };
  /** A new incarnation of the thread (same number, client id and state directory), not started. */
  create: () => T;
  /** substream_stream_thread_replacements_total (see threadReplacementsCounter). */
  replacements: Counter<'thread'>;
  logger: Logger;
  /** shutdown-client: the thread ended; the caller stops the service. Called at most once. */
  onFatal: (failure: StreamThreadFailure) => void;
}

/** Replacements of stream threads, on the process's own registry. */
export function threadReplacementsCounter(registry: Registry): Counter<'thread'> {
  return new Counter({
    name: 'substream_stream_thread_replacements_total',
    help: 'Stream threads replaced after they failed or exited (STREAM_FAILURE_POLICY=replace-thread).',
    labelNames: ['thread'] as const,
    registers: [registry],
  });
}

/**
 * Keeps one stream thread of a processor instance going. When its incarnation fails or exits, it
 * is stopped and, under `replace-thread`, a new one is started in its place after the runtime's
 * restart back-off (doubling while replacements fail again soon, started over once one has run
 * for longer than the longest wait); under `shutdown-client` the failure is handed to `onFatal`.
 */
export class ThreadSupervisor<T extends ThreadIncarnation> {
  private incarnation: T;
  /** The failure being replaced, while the thread waits for or starts its replacement. */
  private failure: Error | undefined;
  private readonly backoff: RestartBackoff;
  private replacement: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly o: ThreadSupervisorOptions<T>) {
    this.backoff = new RestartBackoff(o.backoff);
    // The series exists from the start, so that rate() sees the first replacement.
    o.replacements.inc({ thread: String(o.thread) }, 0);
    this.incarnation = o.create();
  }

  get thread(): number {
    return this.o.thread;
  }

  /** The incarnation that runs; none while the thread is being replaced. */
  get current(): T | undefined {
    return this.failure === undefined ? this.incarnation : undefined;
  }

  /** `replacing`, with the failure, while the thread waits for or starts its replacement. */
  get replacing(): StreamThreadState | undefined {
    return this.failure === undefined
      ? undefined
      : { thread: this.o.thread, state: 'replacing', error: this.failure.message };
  }

  /** Starts the first incarnation; a failure to start is the caller's (no replacement for it). */
  async start(): Promise<void> {
    await this.incarnation.start();
    this.watch(this.incarnation);
  }

  /** Idempotent: ends a back-off wait, stops the incarnation, starts nothing more. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.wake?.();
      // Stopped, no longer replacing: the thread reads as its last incarnation does.
      this.failure = undefined;
      await this.incarnation.stop();
      await this.replacement;
      // A replacement created while the stop began is stopped too (stop() is idempotent).
      await this.incarnation.stop();
    })();
    return this.stopping;
  }

  private watch(incarnation: T): void {
    this.backoff.running();
    void incarnation.ended.then((error) => this.ended(incarnation, error));
  }

  private ended(incarnation: T, error: Error): void {
    if (this.stopping !== undefined || incarnation !== this.incarnation) return;
    if (this.o.policy === 'shutdown-client') {
      this.o.logger.error({ thread: this.o.thread, err: error }, 'stream thread failed');
      this.o.onFatal({ thread: this.o.thread, error });
      return;
    }
    this.failure = error;
    this.replacement = this.replace(error);
  }

  /** Stops what failed, waits, and starts a new incarnation until one runs (or the stop). */
  private async replace(error: Error): Promise<void> {
    let failure = error;
    for (;;) {
      const delayMs = this.backoff.next();
      this.o.logger.error(
        { thread: this.o.thread, err: failure, attempt: this.backoff.attempts, delayMs },
        'stream thread failed; replacing it after a back-off',
      );
      await this.incarnation
        .stop()
        .catch((cause: unknown) =>
          this.o.logger.warn(
            { thread: this.o.thread, err: cause },
            'failed stream thread did not stop cleanly',
          ),
        );
      if (this.stopping !== undefined) return;
      await this.sleep(delayMs);
      if (this.stopping !== undefined) return;
      this.o.replacements.inc({ thread: String(this.o.thread) });
      try {
        // A worker that cannot even be spawned is retried like one that cannot start.
        this.incarnation = this.o.create();
        await this.incarnation.start();
      } catch (cause) {
        if (this.stopping !== undefined) return;
        failure = cause instanceof Error ? cause : new Error(String(cause));
        this.failure = failure; // `/readyz` tells the latest reason
        continue;
      }
      if (this.stopping !== undefined) return;
      this.failure = undefined;
      this.o.logger.info({ thread: this.o.thread }, 'stream thread replaced');
      this.watch(this.incarnation);
      return;
    }
  }

  /** Waits, unless stop() cuts it short. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake?.(), ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }
}
