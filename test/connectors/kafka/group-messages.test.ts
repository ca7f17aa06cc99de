import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KafkaTransport } from '../../../connectors/index.js';
import { groupMessagesPerPartition } from '../../../connectors/kafka/group-messages.js';
import { groupMessagesInstalled } from '../../../connectors/kafka/native-crc.js';
import {
  KAFKAJS_GROUP_MESSAGES_MODULE,
  kafkajsGroupMessagesOriginal,
} from '../../../connectors/kafka/record-batch-install.js';

const require = createRequire(import.meta.url);

function original() {
  const f = kafkajsGroupMessagesOriginal();
  if (f === undefined) throw new Error('grouping not installed');
  return f;
}

/** Groups as plain data: names in order, each with its messages. */
const entries = (grouped: Record<string, unknown[]>) => Object.entries(grouped);

describe("kafkajs's grouping of messages per partition", () => {
  it('is what kafkajs loads, once the transport is imported', () => {
    expect(KafkaTransport).toBeDefined();
    expect(groupMessagesInstalled).toBe(true);
    expect(require(KAFKAJS_GROUP_MESSAGES_MODULE)).toBe(groupMessagesPerPartition);
  });

  it('groups as kafkajs does, calling the partitioner the same way', () => {
    const partitionOf = fc.oneof(
      { weight: 8, arbitrary: fc.integer({ min: 0, max: 12 }) },
      {
        weight: 1,
        arbitrary: fc.constantFrom<unknown>(-1, 1.5, '3', 'x', '__proto__', null, undefined, NaN),
      },
    );
    fc.assert(
      fc.property(
        fc.array(fc.record({ key: fc.string({ maxLength: 4 }), partition: partitionOf }), { maxLength: 200 }),
        fc.integer({ min: 0, max: 3 }),
        fc.boolean(),
        (messages, partitionCount, sparse) => {
          const input = sparse ? [...messages, , ...messages.slice(0, 3)] : messages; // eslint-disable-line no-sparse-arrays
          const calls: unknown[][] = [[], []];
          const run = (f: typeof groupMessagesPerPartition, log: unknown[]) =>
            f({
              topic: 't',
              partitionMetadata: Array.from({ length: partitionCount }, (_, i) => ({ partitionId: i })),
              messages: input,
              partitioner: (args) => {
                log.push(args);
                return (args.message as { partition: unknown }).partition;
              },
            });
          // kafkajs throws for some partition names (`__proto__`): then both must.
          const outcome = (f: typeof groupMessagesPerPartition, log: unknown[]) => {
            try {
              const grouped = run(f, log);
              return { entries: entries(grouped), prototype: Object.getPrototypeOf(grouped) as unknown };
            } catch (error) {
              return { error: (error as Error).constructor.name };
            }
          };
          expect(outcome(groupMessagesPerPartition, calls[0]!)).toEqual(outcome(original(), calls[1]!));
          expect(calls[0]).toEqual(calls[1]);
        },
      ),
      { numRuns: 500 },
    );
  });
});
