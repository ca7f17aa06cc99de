import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KafkaTransport } from '../../../connectors/index.js';
import { recordDecoderInstalled } from '../../../connectors/kafka/native-crc.js';
import {
  KAFKAJS_RECORD_DECODER_MODULE,
  kafkajsRecordBatchModules,
  kafkajsRecordDecoderModules,
} from '../../../connectors/kafka/record-batch-install.js';
import type { RecordInput } from '../../../connectors/kafka/record-batch-encoder.js';

const require = createRequire(import.meta.url);
const KAFKAJS_SRC = join(dirname(require.resolve('kafkajs/package.json')), 'src');
const BATCH_DECODER = join(KAFKAJS_SRC, 'protocol/recordBatch/v0/decoder.js');
const Decoder = require(join(KAFKAJS_SRC, 'protocol/decoder.js')) as new (buffer: Buffer) => unknown;

type BatchDecoder = (decoder: unknown) => Promise<{ records: unknown[] }>;

/** kafkajs's batch decoder as loaded here (with the replacement), and loaded with its own record decoder. */
function batchDecoders(): { replaced: BatchDecoder; original: BatchDecoder } {
  const modules = kafkajsRecordDecoderModules();
  const entry = require.cache[KAFKAJS_RECORD_DECODER_MODULE];
  const saved = require.cache[BATCH_DECODER];
  if (modules === undefined || entry === undefined) throw new Error('record decoder not installed');
  const replaced = require(BATCH_DECODER) as BatchDecoder;
  try {
    delete require.cache[BATCH_DECODER];
    entry.exports = modules.original;
    return { replaced, original: require(BATCH_DECODER) as BatchDecoder };
  } finally {
    entry.exports = modules.replacement;
    if (saved !== undefined) require.cache[BATCH_DECODER] = saved;
    else delete require.cache[BATCH_DECODER];
  }
}

const bytes = (maxLength: number) => fc.uint8Array({ maxLength }).map((a) => Buffer.from(a));
const keyOrValue = fc.oneof(
  fc.constant(null),
  fc.constant(Buffer.alloc(0)),
  fc.string({ unit: 'binary', maxLength: 30 }),
  bytes(200),
);
const headerName = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
  { weight: 1, arbitrary: fc.constantFrom('toString', 'constructor', '__proto__', 'null', '0', '1', 'a') },
);
const headerValue = fc.oneof(fc.string({ maxLength: 10 }), bytes(20));
const headerEntries = fc.array(
  fc.tuple(headerName, fc.oneof(headerValue, fc.array(headerValue, { maxLength: 3 }))),
  {
    maxLength: 4,
  },
);
/** A headers object with own properties only (`__proto__` included), as kafkajs's encoder reads them. */
const headers = headerEntries.map((entries) => {
  const object: Record<string, unknown> = {};
  for (const [name, value] of entries)
    Object.defineProperty(object, name, { value, enumerable: true, writable: true });
  return object;
});
const int64 = fc.oneof(
  fc.bigInt({ min: 0n, max: 2n ** 40n }),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.constantFrom(2n ** 53n - 5n, 2n ** 53n, -(2n ** 53n) + 3n),
);
const delta = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }),
  fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
  fc.constantFrom(2 ** 48, -(2 ** 48), 2 ** 49, 2 ** 52 - 1, Number.MAX_SAFE_INTEGER),
);

async function encodeBatch(
  records: RecordInput[],
  firstOffset: bigint,
  firstTimestamp: bigint,
  maxTimestamp: bigint,
  logAppendTime: boolean,
): Promise<Buffer> {
  const modules = kafkajsRecordBatchModules();
  if (modules === undefined) throw new Error('record batch encoder not installed');
  const { Record, RecordBatch } = modules.original;
  const encoder = await RecordBatch({
    records: records.map((r, i) => Record({ ...r, offsetDelta: i })),
    firstOffset,
    firstTimestamp,
    maxTimestamp,
    lastOffsetDelta: records.length - 1,
  });
  const buffer = Buffer.from(encoder.buffer);
  // The decoder does not check the CRC: the timestamp type is set in the attributes directly.
  if (logAppendTime) buffer.writeInt16BE(buffer.readInt16BE(21) | 0x8, 21);
  return buffer;
}

/**
 * Records as kafkajs hands them out, headers as their own entries in order (a header named like an
 * `Object.prototype` member holds that member first, as in kafkajs: named here, since a matcher
 * would take an own `constructor` for the object's type).
 */
const comparable = (records: unknown[]) =>
  records.map((r) => {
    const { headers, ...fields } = r as { headers: object };
    const name = (v: unknown): unknown => (typeof v === 'function' ? `function ${v.name}` : v);
    return {
      ...fields,
      headerPrototype: Object.getPrototypeOf(headers) as unknown,
      headers: Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v.map(name) : name(v)]),
    };
  });

describe('record decoder for kafkajs', () => {
  it('is what kafkajs loads, once the transport is imported', () => {
    expect(KafkaTransport).toBeDefined();
    expect(recordDecoderInstalled).toBe(true);
    expect(require(KAFKAJS_RECORD_DECODER_MODULE)).toBe(kafkajsRecordDecoderModules()?.replacement);
  });

  it('decodes what kafkajs decodes', async () => {
    const { replaced, original } = batchDecoders();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ key: keyOrValue, value: keyOrValue, headers, timestampDelta: delta }), {
          minLength: 1,
          maxLength: 20,
        }),
        int64,
        int64,
        int64,
        fc.boolean(),
        async (records, firstOffset, firstTimestamp, maxTimestamp, logAppendTime) => {
          const buffer = await encodeBatch(records, firstOffset, firstTimestamp, maxTimestamp, logAppendTime);
          const a = await replaced(new Decoder(buffer));
          const b = await original(new Decoder(buffer));
          expect(comparable(a.records)).toEqual(comparable(b.records));
        },
      ),
      { numRuns: 300 },
    );
  });
});
