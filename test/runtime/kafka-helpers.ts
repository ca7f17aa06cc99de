import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';

export const brokers = [process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092'];
export const kafka = new Kafka({ clientId: 'runtime-tests', brokers, logLevel: logLevel.NOTHING });

/** A name no other test uses. */
export const unique = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

export async function createTopics(specs: { topic: string; partitions: number }[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: specs.map((s) => ({ topic: s.topic, numPartitions: s.partitions })),
  });
  await admin.disconnect();
}

/** Deletes every topic whose name starts with one of the prefixes (inputs, outputs, internal topics). */
export async function deleteTopics(prefixes: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((t) => prefixes.some((p) => t.startsWith(p)));
  if (topics.length > 0) await admin.deleteTopics({ topics });
  await admin.disconnect();
}

export async function produce(
  topic: string,
  records: { key: string | null; value: string | Buffer }[],
): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < records.length; i += 500) {
    await producer.send({ topic, messages: records.slice(i, i + 500) });
  }
  await producer.disconnect();
}

export interface ReadRecord {
  key: string | null;
  value: string | null;
  partition: number;
  offset: string;
  headers: Record<string, string>;
}

/** Reads a topic from the beginning until `count` records arrived (or the timeout passed). */
export async function readTopic(
  topic: string,
  count: number,
  options: { readCommitted?: boolean; timeoutMs?: number; settleMs?: number } = {},
): Promise<ReadRecord[]> {
  const consumer = kafka.consumer({
    groupId: unique('reader'),
    readUncommitted: !(options.readCommitted ?? false),
  });
  const records: ReadRecord[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let lastArrival = Date.now();
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      lastArrival = Date.now();
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
      records.push({
        key: message.key?.toString() ?? null,
        value: message.value?.toString() ?? null,
        partition,
        offset: message.offset,
        headers,
      });
    },
  });
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const settle = options.settleMs ?? 0;
  while (Date.now() < deadline && (records.length < count || Date.now() - lastArrival < settle)) {
    await new Promise((r) => setTimeout(r, 100));
  }
  await consumer.disconnect();
  return records;
}

export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('Condition not reached in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The last count seen per key in the count topology's output. */
export function lastCounts(records: ReadRecord[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of records) {
    const { key, count } = JSON.parse(r.value!) as { key: string; count: number };
    counts.set(key, Math.max(counts.get(key) ?? 0, count));
  }
  return counts;
}
