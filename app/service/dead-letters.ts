import type { DeadLetter, OutputTopics } from '../../processors/index.js';
import { outputTopicFor, subscriptionStoreKey } from '../../processors/index.js';
import type { LogProducer, LogRecord, Transport } from '../../state/index.js';
import { partitionFor } from '../../topology/index.js';
import type { DeadLetterEntry, DeadLetterService } from '../http/index.js';

/** Reads a whole topic up to the end offsets it has now (admin use: bounded by the topic's size). */
async function readTopic(transport: Transport, topic: string): Promise<LogRecord[]> {
  const ends = await transport.admin.endOffsets(topic);
  const pending = new Set([...ends].filter(([, end]) => end !== '0').map(([p]) => p));
  const records: LogRecord[] = [];
  if (pending.size === 0) return records;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const reached = (partition: number, next: string) => {
    if (BigInt(next) >= BigInt(ends.get(partition) ?? '0')) pending.delete(partition);
    if (pending.size === 0) done();
  };
  const tail = await transport.tail({
    topic,
    from: new Map([...ends.keys()].map((p) => [p, 'earliest'])),
    readCommitted: false,
    onRecords: async (batch) => {
      for (const r of batch) {
        if (BigInt(r.offset) < BigInt(ends.get(r.partition) ?? '0')) records.push(r);
        reached(r.partition, (BigInt(r.offset) + 1n).toString());
      }
    },
    onPosition: reached,
  });
  await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, 30_000).unref())]);
  await tail.stop();
  return records;
}

function parse(value: Buffer | null): unknown {
  if (value === null) return null;
  const text = value.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text; // not JSON: shown as text, which is what a dead letter of bad bytes is
  }
}

function entryOf(r: LogRecord): DeadLetterEntry {
  const reason = r.headers['substream.dlq.reason']?.toString('utf8');
  const stage = r.headers['substream.dlq.stage']?.toString('utf8');
  return {
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    key: r.key?.toString('utf8') ?? null,
    ...(reason !== undefined ? { reason } : {}),
    ...(stage !== undefined ? { stage } : {}),
    value: parse(r.value),
  };
}

export class TopicDeadLetters implements DeadLetterService {
  constructor(
    private readonly transport: Transport,
    private readonly producer: LogProducer,
    private readonly topics: { changes: string; deliveries: string; output: OutputTopics },
  ) {}

  async list(
    source: 'changes' | 'deliveries',
    filter: { subscriptionId?: string; tenant?: string; limit: number },
  ): Promise<DeadLetterEntry[]> {
    const records = await readTopic(
      this.transport,
      source === 'changes' ? this.topics.changes : this.topics.deliveries,
    );
    const entries = records.map(entryOf).filter((e) => {
      if (source === 'changes') return true; // an undecodable change has no tenant to go by
      const notification = (e.value as Partial<DeadLetter> | null)?.notification;
      // A subscription is named by its tenant and id, as in a redrive: another tenant's of the same id is not it.
      if (filter.subscriptionId !== undefined)
        return (
          notification?.subscriptionId === filter.subscriptionId && notification.tenant === filter.tenant
        );
      return filter.tenant === undefined || notification?.tenant === filter.tenant;
    });
    return entries.slice(-filter.limit);
  }

  async redrive(subscriptionId: string, tenant?: string): Promise<number> {
    const letters = (await readTopic(this.transport, this.topics.deliveries))
      .map((r) => parse(r.value) as Partial<DeadLetter> | null)
      .filter(
        (d): d is DeadLetter =>
          d?.notification?.subscriptionId === subscriptionId && d.notification.tenant === tenant,
      );
    // Oldest first, once each: the sink delivers them again in event order, with the same ids.
    const seen = new Set<string>();
    const notifications = letters
      .map((d) => d.notification)
      .filter((n) => !seen.has(n.notificationId) && seen.add(n.notificationId))
      .sort((a, b) => a.eventNumber - b.eventNumber);
    const key = Buffer.from(subscriptionStoreKey(subscriptionId, tenant));
    const records = [];
    for (const n of notifications) {
      const topic = outputTopicFor(n, this.topics.output);
      if (!topic) continue;
      const partitions = (await this.transport.admin.partitionCount(topic)) ?? 1;
      records.push({
        topic,
        partition: partitionFor(key, partitions),
        key,
        value: Buffer.from(JSON.stringify(n)),
      });
    }
    if (records.length > 0) await this.producer.send(records);
    return records.length;
  }
}
