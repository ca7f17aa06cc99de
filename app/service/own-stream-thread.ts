import type { Counter } from 'prom-client';
import type { KafkaStreams } from '../../topology/index.js';
import type { SubscriptionCatalog } from '../pipeline/catalog.js';
import {
  createProcessorCore,
  type ProcessorCore,
  type ProcessorCoreOptions,
  restartBackoffOf,
} from './processor-core.js';
import {
  type StreamFailurePolicy,
  type StreamThreadFailure,
  type StreamThreadState,
  type ThreadIncarnation,
  ThreadSupervisor,
} from './thread-supervisor.js';

/** One processor core on the process's own thread, from its start to its end. */
class OwnIncarnation implements ThreadIncarnation {
  readonly ended: Promise<Error>;
  catalog: SubscriptionCatalog | undefined;

  constructor(
    readonly core: ProcessorCore,
    private readonly started: (incarnation: OwnIncarnation) => void,
  ) {
    const streams = core.streams;
    this.ended = new Promise((resolve) =>
      streams.onStateChange((state) => {
        if (state === 'failed') resolve(streams.error ?? new Error(`${streams.config.applicationId} failed`));
      }),
    );
  }

  async start(): Promise<void> {
    await this.core.streams.start();
    this.catalog = this.core.catalog();
    this.started(this);
  }

  async stop(): Promise<void> {
    await this.core.streams.stop();
    this.catalog?.stop();
  }
}

export interface OwnStreamThreadOptions {
  /** The core's options, but for the thread (0). */
  core: Omit<ProcessorCoreOptions, 'thread'>;
  policy: StreamFailurePolicy;
  replacements: Counter<'thread'>;
  onFatal: (failure: StreamThreadFailure) => void;
}

/**
 * Thread 0 of a processor instance: its streams run on the process's own thread, beside the HTTP
 * API. When they fail, a new processor core takes their place (replace-thread) and the API follows
 * it: it reads the core started last, whose tables keep their last values while a replacement
 * waits, so admin reads go on answering meanwhile.
 */
export class OwnStreamThread {
  private readonly supervisor: ThreadSupervisor<OwnIncarnation>;
  private serving: OwnIncarnation;

  constructor(o: OwnStreamThreadOptions) {
    const { config, logger } = o.core;
    this.supervisor = new ThreadSupervisor({
      thread: 0,
      policy: o.policy,
      backoff: restartBackoffOf(config),
      create: () =>
        new OwnIncarnation(createProcessorCore({ ...o.core, thread: 0 }), (started) => {
          this.serving = started;
        }),
      replacements: o.replacements,
      logger,
      onFatal: o.onFatal,
    });
    this.serving = this.supervisor.current!;
  }

  /** The processor core the HTTP API reads. */
  get core(): ProcessorCore {
    return this.serving.core;
  }

  get streams(): KafkaStreams {
    return this.serving.core.streams;
  }

  get catalog(): SubscriptionCatalog | undefined {
    return this.serving.catalog;
  }

  /** `replacing` (with the failure) while the failed core waits for its replacement. */
  get replacing(): StreamThreadState | undefined {
    return this.supervisor.replacing;
  }

  start(): Promise<void> {
    return this.supervisor.start();
  }

  stop(): Promise<void> {
    return this.supervisor.stop();
  }
}
