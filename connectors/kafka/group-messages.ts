/**
 * kafkajs's `groupMessagesPerPartition` (producer/groupMessagesPerPartition.js), linear: kafkajs's
 * copies a partition's array of messages for every message it adds (`[...current, message]`), so a
 * send of n messages to one partition copies about n²/2 references; with the transport's chunks of
 * a few thousand records it was the largest single item in a stateful topology's CPU profile. Here
 * each partition's array is appended to in place. The partitioner is called as kafkajs calls it:
 * once per message, in order, with the same arguments (partitioners may keep state). A partition
 * that is not a non-negative integer is grouped by kafkajs's own step, in case of names with a
 * meaning to `Object.assign` (such as `__proto__`).
 */

export interface GroupMessagesInput {
  topic: string;
  partitionMetadata: unknown[];
  messages: unknown[];
  partitioner: (args: { topic: string; partitionMetadata: unknown[]; message: unknown }) => unknown;
}

export type GroupMessagesFunction = (input: GroupMessagesInput) => Record<string, unknown[]>;

export const groupMessagesPerPartition: GroupMessagesFunction = ({
  topic,
  partitionMetadata,
  messages,
  partitioner,
}) => {
  if (partitionMetadata.length === 0) return {};
  const result: Record<string, unknown[]> = {};
  // forEach, as kafkajs's reduce: holes of a sparse array are skipped.
  messages.forEach((message) => {
    const partition = partitioner({ topic, partitionMetadata, message });
    if (typeof partition === 'number' && Number.isSafeInteger(partition) && partition >= 0) {
      const current = result[partition];
      if (current === undefined) result[partition] = [message];
      else current.push(message);
      return;
    }
    const key = partition as string;
    const current = result[key] || [];
    Object.assign(result, { [key]: [...current, message] });
  });
  return result;
};
