import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KafkaTransport } from '../../../connectors/index.js';
import { recordBatchEncoderInstalled } from '../../../connectors/kafka/native-crc.js';
import {
  KAFKAJS_PRODUCE_V3_MODULE,
  KAFKAJS_RECORD_BATCH_MODULE,
  KAFKAJS_RECORD_MODULE,
  type KafkajsRecordBatchModules,
  kafkajsRecordBatchModules,
} from '../../../connectors/kafka/record-batch-install.js';
import type { KafkajsEncoder, RecordInput } from '../../../connectors/kafka/record-batch-encoder.js';

const require = createRequire(import.meta.url);
const KAFKAJS_SRC = join(dirname(require.resolve('kafkajs/package.json')), 'src');
const Long = require(join(KAFKAJS_SRC, 'utils/long.js')) as { fromValue(v: unknown): unknown };

function modules(): KafkajsRecordBatchModules {
  const m = kafkajsRecordBatchModules();
  if (m === undefined) throw new Error('record batch encoder not installed');
  return m;
}

interface ProduceRequest {
  encode(): Promise<KafkajsEncoder>;
}
type ProduceRequestFactory = (args: Record<string, unknown>) => ProduceRequest;

/**
 * kafkajs's produce request v3 module loaded twice from its file: once as it loads in this process
 * (with the replacements), once with kafkajs's own Record and RecordBatch put back in the cache.
 */
function produceRequests(): { replaced: ProduceRequestFactory; original: ProduceRequestFactory } {
  const cache = require.cache;
  const saved = [KAFKAJS_PRODUCE_V3_MODULE, KAFKAJS_RECORD_MODULE, KAFKAJS_RECORD_BATCH_MODULE].map(
    (p) => cache[p],
  );
  const [savedProduce, recordEntry, batchEntry] = saved;
  if (recordEntry === undefined || batchEntry === undefined) throw new Error('kafkajs modules not loaded');
  const replaced = require(KAFKAJS_PRODUCE_V3_MODULE) as ProduceRequestFactory;
  const replacementRecord: unknown = recordEntry.exports;
  const replacementBatch: unknown = batchEntry.exports;
  try {
    delete cache[KAFKAJS_PRODUCE_V3_MODULE];
    recordEntry.exports = modules().original.Record;
    batchEntry.exports = { RecordBatch: modules().original.RecordBatch, MAGIC_BYTE: 2 };
    const original = require(KAFKAJS_PRODUCE_V3_MODULE) as ProduceRequestFactory;
    return { replaced, original };
  } finally {
    recordEntry.exports = replacementRecord;
    batchEntry.exports = replacementBatch;
    if (savedProduce !== undefined) cache[KAFKAJS_PRODUCE_V3_MODULE] = savedProduce;
    else delete cache[KAFKAJS_PRODUCE_V3_MODULE];
  }
}

const bytes = (maxLength: number) => fc.uint8Array({ maxLength }).map((a) => Buffer.from(a));
const keyOrValue = fc.oneof(
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constant(Buffer.alloc(0)) },
  { weight: 1, arbitrary: fc.constant('') },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 4, arbitrary: bytes(300) },
  // Large values, generated from a length and a seed: element-wise arrays this long are slow.
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 200, max: 70_000 }), fc.integer({ min: 0, max: 255 }))
      .map(([length, seed]) => Buffer.from(Array.from({ length }, (_, i) => (seed + i * 31) & 0xff))),
  },
);
const headerValue = fc.oneof(fc.string({ unit: 'binary', maxLength: 20 }), bytes(40));
const headers = fc.oneof(
  fc.constant(undefined),
  fc.constant({}),
  fc.dictionary(
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.oneof(headerValue, fc.array(headerValue, { maxLength: 3 })),
    { maxKeys: 4 },
  ),
);
const timestamp = fc.oneof(
  fc.constant(undefined),
  fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }).map(String),
  fc.integer({ min: 0, max: 2_000_000_000_000 }),
);
const message = fc.record(
  { key: keyOrValue, value: keyOrValue, headers, timestamp },
  { requiredKeys: ['key', 'value'] },
);
const delta = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }),
  fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
  fc.constantFrom(
    2 ** 31,
    -(2 ** 31),
    2 ** 52 - 1,
    -(2 ** 52) + 1,
    2 ** 52,
    Number.MAX_SAFE_INTEGER,
    -Number.MAX_SAFE_INTEGER,
  ),
);
const batchFields = fc.record({
  producerId: fc.oneof(
    fc.constant(-1),
    fc.integer({ min: 0, max: 2 ** 40 }),
    fc.bigInt({ min: 0n, max: 2n ** 62n }).map((b) => Long.fromValue(b)),
  ),
  producerEpoch: fc.integer({ min: -1, max: 32_767 }),
  firstSequence: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  transactional: fc.boolean(),
  firstTimestamp: fc.oneof(
    fc.integer({ min: 0, max: 2 ** 45 }),
    fc.integer({ min: 0, max: 2 ** 45 }).map(String),
  ),
  maxTimestamp: fc.integer({ min: 0, max: 2 ** 45 }),
  partitionLeaderEpoch: fc.integer({ min: -1, max: 1000 }),
});

class MessageWithDefaults {
  get headers(): Record<string, string> {
    return { inherited: 'not copied by a spread' };
  }
}

async function encodeBoth(
  inputs: RecordInput[],
  fields: Record<string, unknown>,
): Promise<{ replaced: Buffer; original: Buffer }> {
  const { original, replacement } = modules();
  const common = { ...fields, lastOffsetDelta: inputs.length - 1 };
  const replaced = await replacement.RecordBatch({ ...common, records: inputs.map(replacement.Record) });
  const expected = await original.RecordBatch({ ...common, records: inputs.map(original.Record) });
  return { replaced: replaced.buffer, original: expected.buffer };
}

describe('record batch encoder for kafkajs', () => {
  it('is what kafkajs loads, once the transport is imported', () => {
    expect(KafkaTransport).toBeDefined();
    expect(recordBatchEncoderInstalled).toBe(true);
    const { replacement } = modules();
    expect(require(KAFKAJS_RECORD_MODULE)).toBe(replacement.Record);
    expect((require(KAFKAJS_RECORD_BATCH_MODULE) as { RecordBatch: unknown }).RecordBatch).toBe(
      replacement.RecordBatch,
    );
  });

  it('writes the bytes kafkajs writes, record by record and batch fields', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ key: keyOrValue, value: keyOrValue, headers, timestampDelta: delta }), {
          maxLength: 40,
        }),
        batchFields,
        async (records, fields) => {
          const inputs = records.map((r, i) => ({ ...r, offsetDelta: i }));
          const { replaced, original } = await encodeBoth(inputs, fields);
          expect(replaced.equals(original)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('writes the produce requests kafkajs writes', async () => {
    const { replaced, original } = produceRequests();
    const partitionData = fc.record({
      partition: fc.integer({ min: 0, max: 20 }),
      firstSequence: fc.option(fc.integer({ min: 0, max: 2 ** 31 - 1 }), { nil: undefined }),
      messages: fc.array(
        fc.oneof(
          { weight: 9, arbitrary: message },
          // A message that is not a plain object: kafkajs's spread copies its own fields only.
          {
            weight: 1,
            arbitrary: message.map(({ headers: _own, ...fields }) =>
              Object.assign(new MessageWithDefaults(), fields),
            ),
          },
        ),
        { maxLength: 30 },
      ),
    });
    const request = fc.record({
      acks: fc.constantFrom(-1, 0, 1),
      compression: fc.constantFrom(undefined, 0, 1),
      timeout: fc.integer({ min: 0, max: 60_000 }),
      transactionalId: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
      producerId: fc.oneof(fc.constant(undefined), fc.integer({ min: 0, max: 2 ** 40 })),
      producerEpoch: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
      topicData: fc.array(
        fc.record({
          topic: fc.string({ minLength: 1, maxLength: 10 }),
          partitions: fc.array(partitionData, { minLength: 1, maxLength: 3 }),
        }),
        { minLength: 1, maxLength: 2 },
      ),
    });
    await fc.assert(
      fc.asyncProperty(request, async (args) => {
        // Messages without a timestamp take Date.now(): the same instant for both encodings.
        const now = Date.now();
        const realNow = Date.now;
        Date.now = () => now;
        try {
          const a = await replaced(args).encode();
          const b = await original(args).encode();
          expect(a.buffer.equals(b.buffer)).toBe(true);
        } finally {
          Date.now = realNow;
        }
      }),
      { numRuns: 150 },
    );
  });

  it('encodes compressed batches with kafkajs', async () => {
    const inputs = [
      { key: 'k', value: Buffer.from('compressible '.repeat(100)), offsetDelta: 0, timestampDelta: 0 },
      { key: null, value: 'x', headers: { h: ['a', Buffer.from('b')] }, offsetDelta: 1, timestampDelta: 5 },
    ];
    const { replaced, original } = await encodeBoth(inputs, {
      compression: 1,
      firstTimestamp: 1,
      maxTimestamp: 6,
    });
    expect(replaced.equals(original)).toBe(true);
  });

  it('encodes, or fails, as kafkajs does for values it does not encode consistently', async () => {
    // A Uint8Array that is not a Buffer: kafkajs measures its bytes but writes String(value).
    const odd = await encodeBoth([{ key: new Uint8Array([1, 2, 3]), value: 'v', offsetDelta: 0 }], {
      firstTimestamp: 1,
      maxTimestamp: 1,
    });
    expect(odd.replaced.equals(odd.original)).toBe(true);
    const { original, replacement } = modules();
    for (const input of [
      { key: 7, value: null },
      { key: null, value: null, headers: { h: null } },
      { key: null, value: null, headers: { h: 3 } },
      { key: null, value: null, headers: null },
      { key: null, value: null, timestampDelta: 1.5 },
    ] as RecordInput[]) {
      expect(() => original.Record(input)).toThrow();
      expect(() => replacement.Record(input)).toThrow();
    }
  });
});
