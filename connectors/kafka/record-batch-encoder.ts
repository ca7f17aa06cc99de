/**
 * A record batch encoder for kafkajs's produce requests (v3 and later, magic 2) that writes a whole
 * batch into one buffer of the exact size. kafkajs builds an `Encoder` per record and per header,
 * grows each by allocating a zero-filled buffer and copying, writes every varint through a
 * temporary array and buffer, and copies the records again into the batch body and the body again
 * into the batch: most of the CPU a produce costs. Here `Record` only measures a record and keeps
 * its fields; `RecordBatch` sizes the batch, writes header and records once, and checksums the body
 * with the native CRC-32C. The bytes are those kafkajs writes (see the equality tests).
 *
 * Anything off the common path (a compressed batch, a key, value or header of a type kafkajs does
 * not encode consistently, out-of-range deltas) goes to kafkajs's own functions, so it encodes, or
 * fails, as kafkajs does.
 */
import { crc32c } from '@node-rs/crc32';

/** kafkajs's `Encoder`, as far as the produce request uses the batch it gets. */
export interface KafkajsEncoder {
  buf: Buffer;
  offset: number;
  readonly buffer: Buffer;
  size(): number;
}

/** What kafkajs's produce request passes to `Record` (the message, spread, plus the deltas). */
export interface RecordInput {
  offsetDelta?: number;
  timestampDelta?: number;
  key?: unknown;
  value?: unknown;
  headers?: unknown;
  [field: string]: unknown;
}

/** What kafkajs's produce request passes to `RecordBatch`. */
export interface RecordBatchInput {
  compression?: number;
  firstOffset?: unknown;
  firstTimestamp?: unknown;
  maxTimestamp?: unknown;
  partitionLeaderEpoch?: number;
  lastOffsetDelta?: number;
  transactional?: boolean;
  producerId?: unknown;
  producerEpoch?: number;
  firstSequence?: number;
  records?: unknown;
}

export type RecordFunction = (input: RecordInput) => unknown;
export type RecordBatchFunction = (input: RecordBatchInput) => Promise<KafkajsEncoder>;

/** kafkajs's 64-bit integer class (BigInt-backed), used for its int64 fields. */
export interface KafkajsLongClass {
  fromValue(value: unknown): { getHighBits(): number; getLowBits(): number };
  fromInt(value: number): unknown;
}

/** kafkajs's own pieces the encoder defers to or writes through. */
export interface KafkajsCodecParts {
  Record: RecordFunction;
  RecordBatch: RecordBatchFunction;
  encoderPrototype: object;
  Long: KafkajsLongClass;
}

const COMPRESSION_NONE = 0;
const COMPRESSION_CODEC_MASK = 0x07;
const TRANSACTIONAL_MASK = 16;
export const MAGIC_BYTE = 2;
/** firstOffset, length, partitionLeaderEpoch, magic, crc; then the CRC-covered body header. */
const CRC_OFFSET = 17;
const BODY_OFFSET = 21;
const HEADER_SIZE = 61;
/** Timestamp deltas are written with number arithmetic, exact below 2^52. */
const MAX_DELTA = 2 ** 52;

type Bytes = string | Buffer | null | undefined;

/** A record measured, written when its batch is. */
export class PendingRecord {
  constructor(
    /** Bytes the record takes in the batch, its length prefix included. */
    readonly size: number,
    readonly bodySize: number,
    readonly timestampDelta: number,
    readonly offsetDelta: number,
    readonly key: Bytes,
    readonly keySize: number,
    readonly value: Bytes,
    readonly valueSize: number,
    /** Header names and values alternating, or null when there are none. */
    readonly headers: (string | Buffer)[] | null,
  ) {}
}

const isBytes = (v: unknown): v is Bytes =>
  v === null || v === undefined || typeof v === 'string' || Buffer.isBuffer(v);
const isHeaderValue = (v: unknown): v is string | Buffer => typeof v === 'string' || Buffer.isBuffer(v);
const isInt32 = (v: unknown): v is number => typeof v === 'number' && (v | 0) === v;
const isEncoder = (v: unknown): v is KafkajsEncoder =>
  typeof v === 'object' && v !== null && Buffer.isBuffer((v as { buf?: unknown }).buf);

const byteSize = (v: string | Buffer): number =>
  typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : v.length;

/** kafkajs's zig-zag varint size, on the same 32-bit arithmetic. */
function sizeOfVarInt(value: number): number {
  let encoded = (value << 1) ^ (value >> 31);
  let bytes = 1;
  while ((encoded & 0xffffff80) !== 0) {
    bytes += 1;
    encoded >>>= 7;
  }
  return bytes;
}

const zigZag64 = (value: number): number => (value >= 0 ? value * 2 : -value * 2 - 1);

function sizeOfVarLong(value: number): number {
  let encoded = zigZag64(value);
  let bytes = 1;
  while (encoded >= 128) {
    bytes += 1;
    encoded = Math.floor(encoded / 128);
  }
  return bytes;
}

const sizeOfVarIntBytes = (value: Bytes, size: number): number =>
  value === null || value === undefined ? 1 : sizeOfVarInt(size) + size;

function writeVarInt(buf: Buffer, offset: number, value: number): number {
  let encoded = (value << 1) ^ (value >> 31);
  let o = offset;
  while ((encoded & 0xffffff80) !== 0) {
    buf[o++] = (encoded & 0x7f) | 0x80;
    encoded >>>= 7;
  }
  buf[o++] = encoded & 0x7f;
  return o;
}

function writeVarLong(buf: Buffer, offset: number, value: number): number {
  let encoded = zigZag64(value);
  let o = offset;
  while (encoded >= 128) {
    buf[o++] = (encoded % 128) | 0x80;
    encoded = Math.floor(encoded / 128);
  }
  buf[o++] = encoded;
  return o;
}

function writeVarIntBytes(buf: Buffer, offset: number, value: Bytes, size: number): number {
  if (value === null || value === undefined) {
    buf[offset] = 1; // zig-zag -1
    return offset + 1;
  }
  const o = writeVarInt(buf, offset, size);
  if (typeof value === 'string') buf.write(value, o, size, 'utf8');
  else buf.set(value, o);
  return o + size;
}

function writeRecord(buf: Buffer, offset: number, r: PendingRecord): number {
  let o = writeVarInt(buf, offset, r.bodySize);
  buf[o++] = 0; // attributes: none defined for records
  o = writeVarLong(buf, o, r.timestampDelta);
  o = writeVarInt(buf, o, r.offsetDelta);
  o = writeVarIntBytes(buf, o, r.key, r.keySize);
  o = writeVarIntBytes(buf, o, r.value, r.valueSize);
  const headers = r.headers;
  if (headers === null) {
    buf[o++] = 0;
    return o;
  }
  o = writeVarInt(buf, o, headers.length / 2);
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    const value = headers[i + 1] as string | Buffer;
    o = writeVarIntBytes(buf, o, name, Buffer.byteLength(name, 'utf8'));
    o = writeVarIntBytes(buf, o, value, byteSize(value));
  }
  return o;
}

/**
 * Header names and values alternating, as kafkajs flattens them (an array value is one header per
 * element), or undefined when a value is not one kafkajs encodes (it would throw or write
 * something else).
 */
function flattenHeaders(headers: object): (string | Buffer)[] | null | undefined {
  const names = Object.keys(headers);
  if (names.length === 0) return null;
  const flat: (string | Buffer)[] = [];
  for (const name of names) {
    const value = (headers as Record<string, unknown>)[name];
    if (Array.isArray(value)) {
      for (const element of value as unknown[]) {
        if (!isHeaderValue(element)) return undefined;
        flat.push(name, element);
      }
    } else {
      if (!isHeaderValue(value)) return undefined;
      flat.push(name, value);
    }
  }
  return flat.length === 0 ? null : flat;
}

function sizeOfHeaders(flat: (string | Buffer)[] | null): number {
  if (flat === null) return 1;
  let size = sizeOfVarInt(flat.length / 2);
  for (const part of flat) {
    const n = byteSize(part);
    size += sizeOfVarInt(n) + n;
  }
  return size;
}

/** A batch measured by `measureBatch`, its defaults applied, to be written by `writeBatch`. */
export interface PendingBatch {
  /** Bytes the batch takes, from its first offset to its last record. */
  size: number;
  firstOffset: unknown;
  firstTimestamp: unknown;
  maxTimestamp: unknown;
  partitionLeaderEpoch: number;
  lastOffsetDelta: number;
  attributes: number;
  producerId: unknown;
  producerEpoch: number;
  firstSequence: number;
  records: (PendingRecord | KafkajsEncoder)[];
}

export interface RecordBatchCodec {
  /** Replaces kafkajs's `Record`: a `PendingRecord`, or kafkajs's `Encoder` off the common path. */
  Record: (input: RecordInput) => unknown;
  /** Replaces kafkajs's `RecordBatch`. */
  RecordBatch: RecordBatchFunction;
  measureBatch: (input: RecordBatchInput) => PendingBatch | undefined;
  writeBatch: (buf: Buffer, offset: number, batch: PendingBatch) => void;
  /** An `Encoder` of kafkajs holding the first `size` bytes of `buf`. */
  wrap: (buf: Buffer, size: number) => KafkajsEncoder;
}

/** Makes kafkajs `Encoder`s (of `encoderPrototype`) over buffers already written, without copying. */
export function encoderOver(encoderPrototype: object): (buf: Buffer, size: number) => KafkajsEncoder {
  return (buf, size) => {
    const encoder = Object.create(encoderPrototype) as KafkajsEncoder;
    encoder.buf = buf;
    encoder.offset = size;
    return encoder;
  };
}

/** The replacement `Record` and `RecordBatch`, deferring to kafkajs's `parts` off the common path. */
export function createRecordBatchCodec(parts: KafkajsCodecParts): RecordBatchCodec {
  const { Long, encoderPrototype } = parts;

  const wrap = encoderOver(encoderPrototype);

  const Record = (input: RecordInput): unknown => {
    const { offsetDelta = 0, timestampDelta = 0, key, value, headers = {} } = input;
    if (
      !isInt32(offsetDelta) ||
      !Number.isSafeInteger(timestampDelta) ||
      Math.abs(timestampDelta) >= MAX_DELTA ||
      !isBytes(key) ||
      !isBytes(value) ||
      typeof headers !== 'object' ||
      headers === null
    ) {
      return parts.Record(input);
    }
    const flat = flattenHeaders(headers);
    if (flat === undefined) return parts.Record(input);
    const keySize = key === null || key === undefined ? -1 : byteSize(key);
    const valueSize = value === null || value === undefined ? -1 : byteSize(value);
    const bodySize =
      1 +
      sizeOfVarLong(timestampDelta) +
      sizeOfVarInt(offsetDelta) +
      sizeOfVarIntBytes(key, keySize) +
      sizeOfVarIntBytes(value, valueSize) +
      sizeOfHeaders(flat);
    return new PendingRecord(
      sizeOfVarInt(bodySize) + bodySize,
      bodySize,
      timestampDelta,
      offsetDelta,
      key,
      keySize,
      value,
      valueSize,
      flat,
    );
  };

  /** A pending record as the `Encoder` kafkajs's `Record` would have returned. */
  const toEncoder = (record: unknown): unknown => {
    if (!(record instanceof PendingRecord)) return record;
    const buf = Buffer.allocUnsafe(record.size);
    writeRecord(buf, 0, record);
    return wrap(buf, record.size);
  };

  /** A batch's fields and size, or undefined when kafkajs's own `RecordBatch` must encode it. */
  const measureBatch = (input: RecordBatchInput): PendingBatch | undefined => {
    const {
      compression = COMPRESSION_NONE,
      firstOffset = Long.fromInt(0),
      firstTimestamp = Date.now(),
      maxTimestamp = Date.now(),
      partitionLeaderEpoch = 0,
      lastOffsetDelta = 0,
      transactional = false,
      producerId = Long.fromValue(-1),
      producerEpoch = 0,
      firstSequence = 0,
      records = [],
    } = input;
    if (compression !== COMPRESSION_NONE || !Array.isArray(records)) return undefined;
    let recordsSize = 0;
    for (const record of records as unknown[]) {
      if (record instanceof PendingRecord) recordsSize += record.size;
      else if (isEncoder(record)) recordsSize += record.offset;
      else return undefined;
    }
    return {
      size: HEADER_SIZE + recordsSize,
      firstOffset,
      firstTimestamp,
      maxTimestamp,
      partitionLeaderEpoch,
      lastOffsetDelta,
      attributes: (compression & COMPRESSION_CODEC_MASK) | (transactional ? TRANSACTIONAL_MASK : 0),
      producerId,
      producerEpoch,
      firstSequence,
      records: records as (PendingRecord | KafkajsEncoder)[],
    };
  };

  /** Writes a measured batch at `offset` (its `size` bytes), checksum included. */
  const writeBatch = (buf: Buffer, offset: number, batch: PendingBatch): void => {
    const { size, records } = batch;
    writeInt64(buf, offset, batch.firstOffset);
    buf.writeInt32BE(size - 12, offset + 8);
    buf.writeInt32BE(batch.partitionLeaderEpoch, offset + 12);
    buf.writeInt8(MAGIC_BYTE, offset + 16);
    buf.writeInt16BE(batch.attributes, offset + 21);
    buf.writeInt32BE(batch.lastOffsetDelta, offset + 23);
    writeInt64(buf, offset + 27, batch.firstTimestamp);
    writeInt64(buf, offset + 35, batch.maxTimestamp);
    writeInt64(buf, offset + 43, batch.producerId);
    buf.writeInt16BE(batch.producerEpoch, offset + 51);
    buf.writeInt32BE(batch.firstSequence, offset + 53);
    buf.writeInt32BE(records.length, offset + 57);
    let o = offset + HEADER_SIZE;
    for (const record of records) {
      if (record instanceof PendingRecord) {
        o = writeRecord(buf, o, record);
      } else {
        buf.set(record.buf.subarray(0, record.offset), o);
        o += record.offset;
      }
    }
    if (o !== offset + size) {
      throw new RecordBatchEncodingError(
        `record batch of ${records.length} records: wrote ${o - offset} bytes of ${size}`,
      );
    }
    const crc = crc32c(buf.subarray(offset + BODY_OFFSET, offset + size));
    buf.writeUInt32BE(crc, offset + CRC_OFFSET);
  };

  const RecordBatch = async (input: RecordBatchInput): Promise<KafkajsEncoder> => {
    const batch = measureBatch(input);
    if (batch === undefined) {
      const { records } = input;
      return parts.RecordBatch({
        ...input,
        records: Array.isArray(records) ? (records as unknown[]).map(toEncoder) : records,
      });
    }
    const buf = Buffer.allocUnsafe(batch.size);
    writeBatch(buf, 0, batch);
    return wrap(buf, batch.size);
  };

  function writeInt64(buf: Buffer, offset: number, value: unknown): void {
    const long = Long.fromValue(value);
    buf.writeInt32BE(long.getHighBits(), offset);
    buf.writeInt32BE(long.getLowBits(), offset + 4);
  }

  return { Record, RecordBatch, measureBatch, writeBatch, wrap };
}

/** The encoder measured a batch at one size and wrote another: a defect here, never bad input. */
export class RecordBatchEncodingError extends Error {
  override readonly name = 'RecordBatchEncodingError';
}
