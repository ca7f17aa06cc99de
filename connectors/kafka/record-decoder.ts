/**
 * kafkajs's record decoder (record batch magic 2) without its 64-bit arithmetic on BigInts: kafkajs
 * reads each record's timestamp delta a byte at a time into BigInt-backed `Long`s, then parses the
 * batch's first offset and first timestamp from their decimal strings into BigInts again, for every
 * record, to add the deltas and print the sums. Here the delta is read with number arithmetic and
 * the sums computed on numbers while they are exact (any offset or timestamp below 2^53); the
 * strings are the ones kafkajs prints. Headers are gathered as kafkajs gathers them, without an
 * object copy per header. A record outside that range, or a header named `__proto__`, is decoded by
 * kafkajs's own function.
 */

/** kafkajs's `Decoder`, as far as the record decoder uses it. */
export interface KafkajsDecoder {
  buffer: Buffer;
  offset: number;
  readInt8(): number;
  readVarInt(): number;
  readVarIntBytes(): Buffer | null;
  readVarIntArray<T>(reader: (decoder: KafkajsDecoder) => T): T[];
}

/** The batch fields kafkajs's batch decoder passes to each record. */
export interface RecordBatchContext {
  firstOffset?: unknown;
  firstTimestamp?: unknown;
  magicByte?: number;
  isControlBatch?: boolean;
  timestampType?: number;
  maxTimestamp?: unknown;
  [field: string]: unknown;
}

export type RecordDecoderFunction = (decoder: KafkajsDecoder, batchContext?: RecordBatchContext) => unknown;
type HeaderDecoderFunction = (decoder: KafkajsDecoder) => { key: string | null; value: Buffer | null };

const LOG_APPEND_TIME = 1;
/** Varlongs of up to 7 bytes (49 bits) are read exactly with number arithmetic. */
const MAX_FAST_VARLONG_BYTES = 7;

/** The number a canonical decimal string prints, or undefined when not exactly representable. */
function parseExact(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) && String(n) === value ? n : undefined;
}

/** `parseExact`, remembering the last two strings: every record of a batch has the same two. */
let lastA: unknown;
let lastANumber: number | undefined;
let lastB: unknown;
let lastBNumber: number | undefined;
function exactNumber(value: unknown): number | undefined {
  if (value === lastA) return lastANumber;
  if (value === lastB) return lastBNumber;
  lastB = lastA;
  lastBNumber = lastANumber;
  lastA = value;
  lastANumber = parseExact(value);
  return lastANumber;
}

/** The replacement record decoder; `original` decodes what it does not. */
export function createRecordDecoder(
  original: RecordDecoderFunction,
  HeaderDecoder: HeaderDecoderFunction,
): RecordDecoderFunction {
  const fallback = (decoder: KafkajsDecoder, start: number, batchContext: RecordBatchContext): unknown => {
    decoder.offset = start;
    return original(decoder, batchContext);
  };
  return (decoder, batchContext = {}) => {
    const {
      firstOffset,
      firstTimestamp,
      magicByte,
      isControlBatch = false,
      timestampType,
      maxTimestamp,
    } = batchContext;
    const start = decoder.offset;
    const firstOffsetNumber = exactNumber(firstOffset);
    const logAppendTime = timestampType === LOG_APPEND_TIME && Boolean(maxTimestamp);
    const firstTimestampNumber = logAppendTime ? 0 : exactNumber(firstTimestamp);
    if (firstOffsetNumber === undefined || firstTimestampNumber === undefined)
      return fallback(decoder, start, batchContext);

    const attributes = decoder.readInt8();

    // Varlong, zig-zag encoded.
    const buffer = decoder.buffer;
    let o = decoder.offset;
    let zigZag = 0;
    let scale = 1;
    let bytes = 0;
    let byte: number;
    do {
      if (bytes === MAX_FAST_VARLONG_BYTES || o >= buffer.length)
        return fallback(decoder, start, batchContext);
      byte = buffer[o++] as number;
      zigZag += (byte & 0x7f) * scale;
      scale *= 128;
      bytes += 1;
    } while (byte >= 0x80);
    decoder.offset = o;
    const timestampDelta = zigZag % 2 === 0 ? zigZag / 2 : -(zigZag + 1) / 2;
    let timestamp: unknown;
    if (logAppendTime) {
      timestamp = maxTimestamp;
    } else {
      const sum = firstTimestampNumber + timestampDelta;
      if (!Number.isSafeInteger(sum)) return fallback(decoder, start, batchContext);
      timestamp = String(sum);
    }

    const offsetDelta = decoder.readVarInt();
    const offsetSum = firstOffsetNumber + offsetDelta;
    if (!Number.isSafeInteger(offsetSum)) return fallback(decoder, start, batchContext);
    const offset = String(offsetSum);

    const key = decoder.readVarIntBytes();
    const value = decoder.readVarIntBytes();
    const headerList = decoder.readVarIntArray(HeaderDecoder);
    // As kafkajs: a repeated name gathers its values into an array (the test reads inherited
    // properties too, as kafkajs's does).
    const headers: Record<string, unknown> = {};
    for (const header of headerList) {
      const name = header.key as string;
      if (name === '__proto__') return fallback(decoder, start, batchContext);
      const present = headers[name];
      headers[name] =
        present === undefined
          ? header.value
          : Array.isArray(present)
            ? present.concat([header.value])
            : [present, header.value];
    }

    return {
      magicByte,
      attributes,
      timestamp,
      offset,
      key,
      value,
      headers,
      isControlRecord: isControlBatch,
      batchContext,
    };
  };
}
