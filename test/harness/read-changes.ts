/** Reads generated changes back from a topic, for the tests of the generator's Kafka senders. */
import type { Kafka } from 'kafkajs';
import { expect } from 'vitest';
import type { ChangeEvent } from '../../processors/index.js';
import { waitFor } from '../support/infra.js';

export interface ReadChange {
  key: string;
  value: ChangeEvent;
}

/**
 * Consumes the topic from the start with its own group until `count` changes arrived; `whileConnected`
 * runs before the consumer leaves (e.g. to watch the group's lag reach 0).
 */
export async function readChanges(
  kafka: Kafka,
  options: { topic: string; groupId: string; count: number; whileConnected?: () => Promise<unknown> },
): Promise<ReadChange[]> {
  const consumer = kafka.consumer({ groupId: options.groupId });
  const seen: ReadChange[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: options.topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) =>
        void seen.push({
          key: message.key!.toString(),
          value: JSON.parse(message.value!.toString()) as ChangeEvent,
        }),
    });
    await waitFor(() => (seen.length >= options.count ? true : undefined), {
      what: `${options.count} changes`,
      timeoutMs: 60_000,
    });
    await options.whileConnected?.();
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

/** Each change keyed by its resource, each resource's versions in order with none skipped. */
export function expectInOrderPerResource(seen: readonly ReadChange[]): void {
  const versions = new Map<string, number>();
  for (const { key, value } of seen) {
    expect(key).toBe(`${value.resourceType}/${value.id}`);
    const version = Number(value.versionId);
    expect(version).toBe((versions.get(key) ?? 0) + 1);
    versions.set(key, version);
  }
}
