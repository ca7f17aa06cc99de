import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import type { NotifyProcessor } from '../../processors/index.js';
import type { Config } from '../config/index.js';
import { HttpError } from '../http/index.js';
import { restartBackoffOf } from './processor-core.js';
import type { StreamThreadData } from './stream-thread-protocol.js';
import { type StreamThreadFailure, type StreamThreadState, ThreadSupervisor } from './thread-supervisor.js';
import { type SpawnStreamThread, spawnStreamThread, WorkerStreamThread } from './worker-thread.js';

export type { StreamThreadState } from './thread-supervisor.js';

type EventsOf = NotifyProcessor['eventsOf'];
type EventsFound = Awaited<ReturnType<EventsOf>>;

/** The stream threads a processor instance runs beside its own (threads 1 .. PROCESSOR_THREADS - 1). */
export interface StreamThreads {
  start(): Promise<void>;
  /** Each thread's state; `replacing` (with the failure) while a failed thread waits for its replacement. */
  states(): StreamThreadState[];
  /**
   * Each running thread's registry as `getMetricsAsJSON()` gives it, to merge with the process's
   * own; a thread being replaced, or not answering, is left out of this scrape. Then the last
   * counters and histograms of every worker that ended, so that merged counts never go down.
   */
  metrics(): Promise<unknown[]>;
  /** The `$events` source of a partition run by one of these threads, if one runs it. */
  eventsSource(partition: number): Promise<{ eventsOf: EventsOf } | undefined>;
  stop(): Promise<void>;
}

export interface BootStreamThreadsOptions {
  config: Config;
  partitions: number;
  count: number;
  logger: Logger;
  /** substream_stream_thread_replacements_total on the process's registry. */
  replacements: Counter<'thread'>;
  /** STREAM_FAILURE_POLICY=shutdown-client: a thread failed or exited. */
  onFatal: (failure: StreamThreadFailure) => void;
  /** Starts a thread's worker (node:worker_threads by default). */
  spawn?: SpawnStreamThread;
}

/**
 * Boots `count` stream threads of the processor (numbered from 1; the calling thread is 0): each
 * loads its modules and builds its topology. `start()` then starts them all at once (with the
 * process's own thread), so that they join the group together rather than take partitions from
 * each other as they come; it resolves once each has joined and started its tasks. From then on
 * each thread is supervised: one that fails or exits is replaced, or ends the service, as
 * STREAM_FAILURE_POLICY says (thread-supervisor.ts).
 */
export async function bootStreamThreads(o: BootStreamThreadsOptions): Promise<StreamThreads> {
  const spawn = o.spawn ?? spawnStreamThread;
  const supervisors: ThreadSupervisor<WorkerStreamThread>[] = [];
  for (let thread = 1; thread <= o.count; thread++) {
    const data: StreamThreadData = {
      config: o.config,
      thread,
      partitions: o.partitions,
      logLevel: o.logger.level,
    };
    supervisors.push(
      new ThreadSupervisor({
        thread,
        policy: o.config.STREAM_FAILURE_POLICY,
        backoff: restartBackoffOf(o.config),
        create: () => new WorkerStreamThread(spawn(data), thread, o.logger),
        replacements: o.replacements,
        logger: o.logger,
        onFatal: o.onFatal,
      }),
    );
  }
  try {
    await Promise.all(supervisors.map((s) => s.current!.booted));
  } catch (error) {
    await Promise.all(supervisors.map((s) => s.stop()));
    throw error;
  }
  /** The threads that answer requests now. */
  const live = () =>
    supervisors.map((s) => s.current).filter((t): t is WorkerStreamThread => t?.live === true);
  // The last metrics each live worker gave, and the cumulative ones (counters, histograms) of the
  // workers that ended since: merged with the running ones, a thread's counts go on from where its
  // replaced worker left them. Without them the merged sums would drop, which Prometheus takes for
  // a counter reset, counting the whole remaining value again as new.
  const lastSeen = new Map<WorkerStreamThread, unknown>();
  const ended: unknown[] = [];
  return {
    start: async () => {
      await Promise.all(supervisors.map((s) => s.start()));
    },
    states: () => supervisors.map((s) => s.replacing ?? s.current!.state),
    async metrics() {
      const asked = live();
      const answers = await Promise.allSettled(asked.map((t) => t.request({ kind: 'metrics' })));
      const running = answers.flatMap((answer, i) => {
        if (answer.status === 'fulfilled') {
          lastSeen.set(asked[i]!, answer.value);
          return [answer.value];
        }
        o.logger.warn({ err: answer.reason }, 'stream thread metrics left out of this scrape');
        return [];
      });
      for (const [worker, seen] of lastSeen) {
        if (worker.live) continue;
        lastSeen.delete(worker);
        const cumulative = cumulativeMetrics(seen);
        if (cumulative.length > 0) ended.push(cumulative);
      }
      return [...running, ...ended];
    },
    async eventsSource(partition) {
      for (const t of live()) {
        if (t.state.state === 'failed' || t.state.state === 'stopped') continue;
        const owns = await t.request({ kind: 'owns', partition }).catch((error: unknown) => {
          o.logger.warn(
            { err: error, thread: t.thread, partition },
            'stream thread did not say what it runs',
          );
          return false;
        });
        if (owns !== true) continue;
        return {
          eventsOf: (subscriptionId, tenant, query) => eventsOn(t, partition, subscriptionId, tenant, query),
        };
      }
      return undefined;
    },
    stop: async () => {
      await Promise.all(supervisors.map((s) => s.stop()));
    },
  };
}

/** The counters and histograms of a registry's `getMetricsAsJSON()`: what only ever grows. */
function cumulativeMetrics(json: unknown): unknown[] {
  if (!Array.isArray(json)) return [];
  return json.filter((m: unknown) => {
    const type = (m as { type?: unknown } | null)?.type;
    return type === 'counter' || type === 'histogram';
  });
}

/** `$events` asked of the thread running the partition; a thread that went away meanwhile is a transient 503. */
async function eventsOn(
  t: WorkerStreamThread,
  partition: number,
  ...[subscriptionId, tenant, query]: Parameters<EventsOf>
): Promise<EventsFound> {
  let answer: { owned: boolean; found?: string };
  try {
    answer = (await t.request({
      kind: 'events',
      partition,
      subscriptionId,
      tenant,
      query: {
        ...(query.since !== undefined ? { since: query.since } : {}),
        ...(query.until !== undefined ? { until: query.until } : {}),
      },
    })) as { owned: boolean; found?: string };
  } catch (error) {
    throw new HttpError(
      503,
      'transient',
      `stream thread ${t.thread} running partition ${partition} did not answer: ${(error as Error).message}`,
    );
  }
  if (!answer.owned)
    throw new HttpError(
      503,
      'transient',
      `partition ${partition} moved off stream thread ${t.thread}; retry`,
    );
  return answer.found === undefined ? undefined : (JSON.parse(answer.found) as EventsFound);
}
