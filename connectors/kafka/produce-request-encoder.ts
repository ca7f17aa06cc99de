/**
 * kafkajs's produce request v3 (which v4 to v7 reuse), writing the whole request body into one
 * buffer of the exact size. kafkajs's own copies every record's message into a new object
 * (`{ ...message, offsetDelta, timestampDelta }`), then copies each record batch into a partition
 * `Encoder`, each partition into a topic `Encoder` and each topic into the request's, every one
 * grown from 512 bytes by allocating zero-filled buffers: about as much CPU, per record, as
 * encoding the records. Here the batches are measured first (record-batch-encoder.ts) and written
 * in place. A batch the record batch encoder does not write (compressed, or with values kafkajs
 * encodes its own way) is encoded by `RecordBatch` as kafkajs would, and copied in.
 */
import type {
  KafkajsEncoder,
  KafkajsLongClass,
  PendingBatch,
  RecordBatchCodec,
} from './record-batch-encoder.js';

interface Message {
  key?: unknown;
  value?: unknown;
  headers?: unknown;
  timestamp?: unknown;
  [field: string]: unknown;
}

interface PartitionData {
  partition: number;
  messages: Message[];
  firstSequence?: number;
  [field: string]: unknown;
}

interface TopicData {
  topic: string;
  partitions: PartitionData[];
  [field: string]: unknown;
}

export interface ProduceRequestArgs {
  acks: number;
  timeout: number;
  transactionalId?: string | null;
  producerId?: unknown;
  producerEpoch?: number;
  compression?: number;
  topicData: TopicData[];
}

export interface ProduceRequest {
  apiKey: number;
  apiVersion: number;
  apiName: string;
  expectResponse: () => boolean;
  encode: () => Promise<KafkajsEncoder>;
}

export type ProduceRequestFunction = (args: ProduceRequestArgs) => ProduceRequest;

const isPlainObject = (v: object): boolean => {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/** kafkajs's `Encoder.writeString` size: a null string is a length of -1 alone. */
const sizeOfString = (value: string | null | undefined): number =>
  value === null || value === undefined ? 2 : 2 + Buffer.byteLength(value, 'utf8');

function writeString(buf: Buffer, offset: number, value: string | null | undefined): number {
  if (value === null || value === undefined) {
    buf.writeInt16BE(-1, offset);
    return offset + 2;
  }
  const length = Buffer.byteLength(value, 'utf8');
  buf.writeInt16BE(length, offset);
  buf.write(value, offset + 2, length, 'utf8');
  return offset + 2 + length;
}

type EncodedBatch = { pending: PendingBatch; size: number } | { encoder: KafkajsEncoder; size: number };

/** The produce request v3 module's export, on `codec`; `apiKey` is kafkajs's Produce key. */
export function createProduceRequest(
  codec: RecordBatchCodec,
  Long: KafkajsLongClass,
  apiKey: number,
): ProduceRequestFunction {
  const { Record, RecordBatch, measureBatch, writeBatch, wrap } = codec;

  /** kafkajs's partition encoder, up to the record batch. */
  const encodePartition = async (
    compression: number,
    { messages, firstSequence }: PartitionData,
    transactionalId: string | null,
    producerId: unknown,
    producerEpoch: number,
  ): Promise<EncodedBatch> => {
    const dateNow = Date.now();
    // As kafkajs: a default (string-wise) sort, the first and last taken as first and max timestamps.
    const messageTimestamps = messages
      .map((m) => m.timestamp)
      .filter((timestamp) => timestamp != null)
      .sort();
    const timestamps = messageTimestamps.length === 0 ? [dateNow] : messageTimestamps;
    const firstTimestamp = timestamps[0] as number;
    const maxTimestamp = timestamps[timestamps.length - 1];
    const records = messages.map((message, i) => {
      const timestampDelta = ((message.timestamp as number) || dateNow) - firstTimestamp;
      // Record reads these fields only; the spread kafkajs makes is needed for odd messages alone.
      return isPlainObject(message)
        ? Record({
            key: message.key,
            value: message.value,
            headers: message.headers,
            offsetDelta: i,
            timestampDelta,
          })
        : Record({ ...message, offsetDelta: i, timestampDelta });
    });
    const input = {
      compression,
      records,
      firstTimestamp,
      maxTimestamp,
      producerId,
      producerEpoch,
      firstSequence,
      transactional: !!transactionalId,
      lastOffsetDelta: records.length - 1,
    };
    const pending = measureBatch(input);
    if (pending !== undefined) return { pending, size: pending.size };
    const encoder = await RecordBatch(input);
    return { encoder, size: encoder.offset };
  };

  return ({
    acks,
    timeout,
    transactionalId = null,
    producerId = Long.fromInt(-1),
    producerEpoch = 0,
    compression = 0,
    topicData,
  }) => ({
    apiKey,
    apiVersion: 3,
    apiName: 'Produce',
    expectResponse: () => acks !== 0,
    encode: async () => {
      let size = sizeOfString(transactionalId) + 2 + 4 + 4;
      const topics: { topic: string; partitions: { partition: number; batch: EncodedBatch }[] }[] = [];
      for (const { topic, partitions } of topicData) {
        const encoded: { partition: number; batch: EncodedBatch }[] = [];
        size += sizeOfString(topic) + 4;
        for (const data of partitions) {
          const batch = await encodePartition(compression, data, transactionalId, producerId, producerEpoch);
          encoded.push({ partition: data.partition, batch });
          size += 8 + batch.size;
        }
        topics.push({ topic, partitions: encoded });
      }

      const buf = Buffer.allocUnsafe(size);
      let o = writeString(buf, 0, transactionalId);
      buf.writeInt16BE(acks, o);
      buf.writeInt32BE(timeout, o + 2);
      buf.writeInt32BE(topics.length, o + 6);
      o += 10;
      for (const { topic, partitions } of topics) {
        o = writeString(buf, o, topic);
        buf.writeInt32BE(partitions.length, o);
        o += 4;
        for (const { partition, batch } of partitions) {
          buf.writeInt32BE(partition, o);
          buf.writeInt32BE(batch.size, o + 4);
          o += 8;
          if ('pending' in batch) writeBatch(buf, o, batch.pending);
          else buf.set(batch.encoder.buf.subarray(0, batch.size), o);
          o += batch.size;
        }
      }
      return wrap(buf, size);
    },
  });
}
