import { setMaxListeners } from 'node:events';
import type {
  AppendResult,
  GroupConsumer,
  GroupConsumerOptions,
  GroupMember,
  LogAdmin,
  LogProducer,
  LogRecord,
  LogTail,
  LogTransaction,
  OutgoingRecord,
  TailOptions,
  TopicPartition,
  TopicPartitionOffset,
  Transport,
} from '../../state/index.js';
import { LogCleaner, type LogCleanerOptions } from './log-cleaner.js';
import { LogStore } from './log-store.js';

const BATCH_RECORDS = 500;

/** Calls `read` for each partition in a loop, waiting for appends when a partition is drained. */
class PartitionLoops {
  private running = true;
  private readonly loops: Promise<void>[] = [];
  private readonly paused = new Set<string>();
  private wake = wakeSignal();

  constructor(private readonly log: LogStore) {
    log.appended.on('append', this.onAppend);
  }

  start(
    partitions: readonly TopicPartition[],
    step: (tp: TopicPartition) => Promise<boolean>,
    onError: (e: unknown) => void,
  ): void {
    for (const tp of partitions) {
      this.loops.push(
        (async () => {
          while (this.running) {
            const busy = !this.paused.has(`${tp.topic}:${tp.partition}`) && (await step(tp));
            if (!busy && this.running) await this.idle();
          }
        })().catch(onError),
      );
    }
  }

  pause(tps: readonly TopicPartition[], paused: boolean): void {
    for (const tp of tps) {
      if (paused) this.paused.add(`${tp.topic}:${tp.partition}`);
      else this.paused.delete(`${tp.topic}:${tp.partition}`);
    }
    if (!paused) this.onAppend();
  }

  isRunning(): boolean {
    return this.running;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.onAppend();
    this.log.appended.off('append', this.onAppend);
    await Promise.allSettled(this.loops);
  }

  private readonly onAppend = (): void => {
    this.wake.abort();
    this.wake = wakeSignal();
  };

  private async idle(): Promise<void> {
    const signal = this.wake.signal;
    if (signal.aborted) return;
    // The timeout only bounds how long a missed wake-up could stall a loop. The listener is
    // removed either way, so idle loops do not pile listeners onto one signal.
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, 200);
      timer.unref();
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

/** One signal wakes every idle partition loop at once: as many listeners as loops is expected. */
function wakeSignal(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}

class EmbeddedTransaction implements LogTransaction {
  private readonly records: OutgoingRecord[] = [];
  private offsets: { groupId: string; offsets: TopicPartitionOffset[] } | undefined;

  constructor(private readonly log: LogStore) {}

  async send(records: readonly OutgoingRecord[]): Promise<void> {
    this.records.push(...records);
  }
  async sendOffsets(groupId: string, offsets: readonly TopicPartitionOffset[]): Promise<void> {
    this.offsets = { groupId, offsets: [...(this.offsets?.offsets ?? []), ...offsets] };
  }
  async commit(): Promise<void> {
    await this.log.append(this.records, this.offsets);
  }
  async abort(): Promise<void> {
    this.records.length = 0;
    this.offsets = undefined;
  }
}

/**
 * The transport port over a durable LevelDB log in one process. One member per group: a group
 * consumer is assigned every partition of its topics.
 */
export class EmbeddedTransport implements Transport {
  readonly admin: LogAdmin;
  private readonly members = new Map<string, GroupMember>();
  private readonly stoppers = new Set<() => Promise<void>>();
  /** Retention and compaction in the background; undefined when turned off. */
  readonly cleaner: LogCleaner | undefined;

  private constructor(
    private readonly log: LogStore,
    cleaner: LogCleanerOptions | false,
    onCleanerError: (error: unknown) => void,
  ) {
    if (cleaner !== false) {
      this.cleaner = new LogCleaner(log, cleaner);
      this.cleaner.start(onCleanerError);
    }
    this.admin = {
      ensureTopics: (specs) => log.ensureTopics(specs),
      partitionCount: async (topic) => log.partitionCount(topic),
      endOffsets: async (topic) => log.endOffsets(topic),
      deleteTopics: (topics) => log.deleteTopics(topics),
    };
  }

  /**
   * Opens (or creates) the log in `directory`; what was written before a restart is still there.
   * The cleaner (retention of delete topics, compaction of compacted ones) runs unless `false`.
   */
  static async open(
    directory: string,
    options: { cleaner?: LogCleanerOptions | false; onCleanerError?: (error: unknown) => void } = {},
  ): Promise<EmbeddedTransport> {
    return new EmbeddedTransport(
      await LogStore.open(directory),
      options.cleaner ?? {},
      options.onCleanerError ?? (() => undefined),
    );
  }

  async producer(): Promise<LogProducer> {
    const log = this.log;
    return {
      send: (records): Promise<AppendResult> => log.append(records),
      transaction: async () => new EmbeddedTransaction(log),
      close: async () => undefined,
    };
  }

  async groupConsumer(options: GroupConsumerOptions): Promise<GroupConsumer> {
    const { groupId, handlers } = options;
    const log = this.log;
    const partitions: TopicPartition[] = options.topics.flatMap((topic) =>
      Array.from({ length: log.partitionCount(topic) ?? 0 }, (_, partition) => ({ topic, partition })),
    );
    const positions = new Map<string, bigint>();
    const committed = new Map<string, bigint>();
    for (const tp of partitions) {
      const offset = (await log.committed(groupId, tp.topic, tp.partition)) ?? 0n;
      positions.set(`${tp.topic}:${tp.partition}`, offset);
      committed.set(`${tp.topic}:${tp.partition}`, offset);
    }
    // The cleaner leaves alone what this consumer has not processed yet.
    const untrack = partitions.map((tp) =>
      log.trackReader(tp.topic, tp.partition, () => positions.get(`${tp.topic}:${tp.partition}`)!),
    );
    const member: GroupMember = { memberId: `${groupId}-embedded`, assignment: partitions };
    if (options.endpoint !== undefined) member.endpoint = options.endpoint;
    this.members.set(groupId, member);
    await handlers.assigned(partitions);

    const loops = new PartitionLoops(log);
    let failure: unknown;
    loops.start(
      partitions,
      async (tp) => {
        const id = `${tp.topic}:${tp.partition}`;
        const from = positions.get(id)!;
        if (from >= log.endOf(tp.topic, tp.partition)) return false;
        const records = await log.read(tp.topic, tp.partition, from, BATCH_RECORDS);
        if (records.length === 0) return false;
        let marked: bigint | undefined;
        let committable: bigint | undefined;
        await handlers.batch(records, {
          heartbeat: async () => undefined,
          highWatermark: log.endOf(tp.topic, tp.partition).toString(),
          isRunning: () => loops.isRunning(),
          pause: () => {
            loops.pause([tp], true);
            return () => loops.pause([tp], false);
          },
          markProcessed: (next, upTo) => {
            marked = BigInt(next);
            committable = upTo === undefined ? marked : BigInt(upTo);
          },
        });
        if (marked !== undefined && marked > from) {
          positions.set(id, marked);
          const commit = committable !== undefined && committable < marked ? committable : marked;
          if (options.commitOffsets && commit > committed.get(id)!) {
            committed.set(id, commit);
            await log.commit(groupId, [{ ...tp, offset: commit.toString() }]);
          }
        }
        return true;
      },
      (error) => {
        failure = error;
        handlers.failed(error);
      },
    );
    const stop = async (): Promise<void> => {
      this.stoppers.delete(stop);
      await loops.stop();
      for (const u of untrack) u();
      this.members.delete(groupId);
      await handlers.revoked(partitions);
      if (failure !== undefined) throw failure;
    };
    this.stoppers.add(stop);
    return {
      pause: (tps) => loops.pause(tps, true),
      resume: (tps) => loops.pause(tps, false),
      // Commits outside the batch loop (commit interval, clean close); never backwards.
      commit: async (offsets) => {
        const forward = offsets.filter((o) => {
          const done = committed.get(`${o.topic}:${o.partition}`);
          return done !== undefined && BigInt(o.offset) > done;
        });
        if (!options.commitOffsets || forward.length === 0) return;
        for (const o of forward) committed.set(`${o.topic}:${o.partition}`, BigInt(o.offset));
        await log.commit(groupId, forward);
      },
      stop,
    };
  }

  async tail(options: TailOptions): Promise<LogTail> {
    const log = this.log;
    const positions = new Map<number, bigint>();
    for (const [partition, from] of options.from)
      positions.set(partition, from === 'earliest' ? 0n : BigInt(from));
    const untrack = [...positions.keys()].map((partition) =>
      log.trackReader(options.topic, partition, () => positions.get(partition)!),
    );
    const loops = new PartitionLoops(log);
    loops.start(
      [...positions.keys()].map((partition) => ({ topic: options.topic, partition })),
      async ({ partition }) => {
        const from = positions.get(partition)!;
        const end = log.endOf(options.topic, partition);
        if (from >= end) {
          options.onPosition?.(partition, from.toString());
          return false;
        }
        const records = await log.read(options.topic, partition, from, BATCH_RECORDS * 10);
        if (records.length > 0) await options.onRecords(records);
        const next = records.length > 0 ? BigInt(records[records.length - 1]!.offset) + 1n : end;
        positions.set(partition, next);
        options.onPosition?.(partition, next.toString());
        return true;
      },
      () => undefined,
    );
    const stop = async (): Promise<void> => {
      this.stoppers.delete(stop);
      await loops.stop();
      for (const u of untrack) u();
    };
    this.stoppers.add(stop);
    return { stop };
  }

  async groupMembers(groupId: string): Promise<GroupMember[]> {
    const member = this.members.get(groupId);
    return member === undefined ? [] : [member];
  }

  /** The group's committed offset of a partition (0 when none). */
  async committed(groupId: string, topic: string, partition: number): Promise<bigint> {
    return (await this.log.committed(groupId, topic, partition)) ?? 0n;
  }

  /** Reads records directly (the test driver reads outputs this way). */
  read(topic: string, partition: number, from: bigint, limit: number): Promise<LogRecord[]> {
    return this.log.read(topic, partition, from, limit);
  }

  async close(): Promise<void> {
    await this.cleaner?.stop();
    await Promise.allSettled([...this.stoppers].map((stop) => stop()));
    await this.log.close();
  }
}
