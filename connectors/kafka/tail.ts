import { randomUUID } from 'node:crypto';
import type { Batch, Consumer, Kafka } from 'kafkajs';
import type { LogRecord, LogTail, TailOptions } from '../../state/index.js';

/** What a tail needs of its transport. */
export interface TailDeps {
  kafka: Kafka;
  clientId: string;
  sessionTimeoutMs: number;
  retries: number;
  partitionCount(topic: string): Promise<number | undefined>;
  deleteGroups(groupIds: readonly string[]): Promise<void>;
  toRecord(topic: string, partition: number, message: Batch['messages'][number]): LogRecord;
}

const REOPEN_FIRST_MS = 500;
const REOPEN_MAX_MS = 10_000;

/**
 * Follows a topic's partitions from the given offsets without committing anything. kafkajs does
 * not restart a consumer that crashed with an error it calls non-retriable (a connection refused
 * after its retries, as while a broker restarts), and a global table fed by it would silently
 * stop following: the tail reopens a consumer itself, with back-off, from the positions reached.
 */
export async function openTail(deps: TailDeps, options: TailOptions): Promise<LogTail> {
  const positions = new Map(options.from);
  const groupIds: string[] = [];
  const wanted = (partition: number) => options.from.has(partition);
  const advance = (partition: number, next: bigint) => {
    const at = positions.get(partition);
    if (at === undefined || at === 'earliest' || BigInt(at) < next) positions.set(partition, next.toString());
  };
  let failure: unknown;
  let stopped = false;
  let consumer: Consumer | undefined;
  let reopenTimer: NodeJS.Timeout | undefined;
  let reopenAttempt = 0;

  const open = async (): Promise<void> => {
    const groupId = `${deps.clientId}-tail-${randomUUID()}`;
    groupIds.push(groupId);
    const next = deps.kafka.consumer({
      groupId,
      readUncommitted: !options.readCommitted,
      maxBytesPerPartition: 10 * 1_048_576,
      maxBytes: 50 * 1_048_576,
      maxWaitTimeInMs: 200,
      sessionTimeout: deps.sessionTimeoutMs,
      // Every crash is handled below, by a consumer that starts from the positions reached.
      retry: { retries: deps.retries, restartOnFailure: async () => false },
    });
    consumer = next;
    next.on(next.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.topic !== options.topic || !wanted(payload.partition)) return;
      const position = BigInt(payload.lastOffset) + 1n;
      advance(payload.partition, position);
      options.onPosition?.(payload.partition, position.toString());
    });
    next.on(next.events.CRASH, () => {
      // A failing onRecords is the caller's error: it is reported by stop(), not retried forever.
      if (!stopped && failure === undefined && consumer === next) scheduleReopen();
    });
    await next.connect();
    await next.subscribe({ topics: [options.topic], fromBeginning: true });
    await next.run({
      autoCommit: false,
      partitionsConsumedConcurrently: Math.max(1, options.from.size),
      eachBatch: async ({ batch }: { batch: Batch }) => {
        if (!wanted(batch.partition) || batch.messages.length === 0) return;
        try {
          await options.onRecords(batch.messages.map((m) => deps.toRecord(batch.topic, batch.partition, m)));
        } catch (error) {
          failure = error;
          throw error;
        }
        advance(batch.partition, BigInt(batch.messages.at(-1)!.offset) + 1n);
      },
    });
    for (const [partition, from] of positions) {
      if (from !== 'earliest') next.seek({ topic: options.topic, partition, offset: from });
    }
    const count = (await deps.partitionCount(options.topic)) ?? 0;
    const others = Array.from({ length: count }, (_, p) => p).filter((p) => !wanted(p));
    if (others.length > 0) next.pause([{ topic: options.topic, partitions: others }]);
  };

  const scheduleReopen = () => {
    if (reopenTimer !== undefined) return;
    const base = Math.min(REOPEN_FIRST_MS * 2 ** reopenAttempt, REOPEN_MAX_MS);
    reopenAttempt += 1;
    reopenTimer = setTimeout(
      () => {
        reopenTimer = undefined;
        if (stopped) return;
        const previous = consumer;
        void (async () => {
          // kafkajs disconnects a crashed consumer itself; this only makes sure.
          await previous?.disconnect().catch(() => undefined);
          await open();
          reopenAttempt = 0;
        })().catch(() => {
          // The broker is still away: the next attempt waits longer.
          if (!stopped) scheduleReopen();
        });
      },
      Math.round(base * (0.8 + Math.random() * 0.4)),
    );
  };

  await open();
  return {
    async stop() {
      stopped = true;
      clearTimeout(reopenTimer);
      await consumer?.disconnect();
      await deps.deleteGroups(groupIds).catch(() => undefined);
      if (failure !== undefined) throw failure;
    },
  };
}
