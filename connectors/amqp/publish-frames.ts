/**
 * AMQP 0-9-1 frames of one basic.publish (method, content header, body), encoded straight into a
 * reusable buffer: the same bytes amqplib writes for the properties this sink sets, without its
 * per-publish argument objects, scratch copies and generic table encoder, which were the larger
 * part of our CPU time per publish. Publishes it does not cover (other properties, values other
 * than strings, numbers, booleans, null and lists of them, bodies larger than one frame) are
 * reported as such, and amqplib publishes them.
 */
import type { Options } from 'amqplib';

const FRAME_METHOD = 1;
const FRAME_HEADER = 2;
const FRAME_BODY = 3;
const FRAME_END = 0xce;
/** Type, channel, size before the payload; frame-end after it. */
const FRAME_OVERHEAD = 8;
const CLASS_BASIC = 60;
const METHOD_PUBLISH = 40;

/** The properties this encoder writes (and Options.Publish keys that only shape the method frame). */
const COVERED = new Set([
  'contentType',
  'contentEncoding',
  'headers',
  'persistent',
  'messageId',
  'timestamp',
  'type',
  'appId',
  'mandatory',
]);

/** The property is present on the wire (amqplib's test: neither undefined nor null). */
const present = (value: unknown): boolean => value !== undefined && value !== null;

/** A growable byte buffer that frames are appended to; `take` copies out what was written. */
export class FrameBuffer {
  private bytes = Buffer.allocUnsafe(16 * 1024);
  private length = 0;

  get size(): number {
    return this.length;
  }

  /** A copy of the bytes written since the last take (the buffer is reused). */
  take(): Buffer {
    const out = Buffer.allocUnsafe(this.length);
    this.bytes.copy(out, 0, 0, this.length);
    this.length = 0;
    return out;
  }

  /** Drops everything written after `mark` (a publish that turned out not to be covered). */
  rewind(mark: number): void {
    this.length = mark;
  }

  ensure(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(needed, this.bytes.length * 2));
    this.bytes.copy(grown, 0, 0, this.length);
    this.bytes = grown;
  }

  u8(value: number): void {
    this.ensure(1);
    this.bytes[this.length++] = value;
  }

  u16(value: number): void {
    this.ensure(2);
    this.length = this.bytes.writeUInt16BE(value, this.length);
  }

  u32(value: number): void {
    this.ensure(4);
    this.length = this.bytes.writeUInt32BE(value, this.length);
  }

  setU16(at: number, value: number): void {
    this.bytes.writeUInt16BE(value, at);
  }

  setU32(at: number, value: number): void {
    this.bytes.writeUInt32BE(value, at);
  }

  u64(value: number): void {
    this.ensure(8);
    this.length = this.bytes.writeBigUInt64BE(BigInt(value), this.length);
  }

  i8(value: number): void {
    this.ensure(1);
    this.length = this.bytes.writeInt8(value, this.length);
  }

  i16(value: number): void {
    this.ensure(2);
    this.length = this.bytes.writeInt16BE(value, this.length);
  }

  i32(value: number): void {
    this.ensure(4);
    this.length = this.bytes.writeInt32BE(value, this.length);
  }

  i64(value: number): void {
    this.ensure(8);
    this.length = this.bytes.writeBigInt64BE(BigInt(value), this.length);
  }

  f64(value: number): void {
    this.ensure(8);
    this.length = this.bytes.writeDoubleBE(value, this.length);
  }

  /** UTF-8 bytes with no length prefix. */
  utf8(value: string): void {
    // At most 3 bytes per UTF-16 unit: room for the worst case, then the real length.
    this.ensure(value.length * 3);
    this.length += this.bytes.write(value, this.length, 'utf8');
  }

  /** A short string: one length byte; false when it is longer than 255 bytes. */
  shortString(value: string): boolean {
    const at = this.length;
    this.u8(0);
    this.utf8(value);
    const size = this.length - at - 1;
    if (size > 255) return false;
    this.bytes[at] = size;
    return true;
  }

  /** A long string: four length bytes. */
  longString(value: string): void {
    const at = this.length;
    this.u32(0);
    this.utf8(value);
    this.setU32(at, this.length - at - 4);
  }

  copyFrom(content: Buffer): void {
    this.ensure(content.length);
    this.length += content.copy(this.bytes, this.length);
  }
}

/**
 * Appends the frames of one publish on `channel` to `out`. False, with `out` as it was, when the
 * publish is not one this encoder covers (`frameMax`: the connection's negotiated frame size).
 */
export function encodePublish(
  out: FrameBuffer,
  channel: number,
  exchange: string,
  routingKey: string,
  content: Buffer,
  options: Options.Publish,
  frameMax: number,
): boolean {
  const mark = out.size;
  if (!covered(options) || content.length > frameMax - FRAME_OVERHEAD) return false;
  if (
    !method(out, channel, exchange, routingKey, Boolean(options.mandatory)) ||
    !header(out, channel, content.length, options)
  ) {
    out.rewind(mark);
    return false;
  }
  if (content.length > 0) {
    out.u8(FRAME_BODY);
    out.u16(channel);
    out.u32(content.length);
    out.copyFrom(content);
    out.u8(FRAME_END);
  }
  return true;
}

function covered(options: Options.Publish): boolean {
  for (const key in options) {
    if (!COVERED.has(key) && present((options as Record<string, unknown>)[key])) return false;
  }
  return true;
}

function method(
  out: FrameBuffer,
  channel: number,
  exchange: string,
  routingKey: string,
  mandatory: boolean,
): boolean {
  out.u8(FRAME_METHOD);
  out.u16(channel);
  const sizeAt = out.size;
  out.u32(0);
  out.u16(CLASS_BASIC);
  out.u16(METHOD_PUBLISH);
  out.u16(0); // ticket
  if (!out.shortString(exchange) || !out.shortString(routingKey)) return false;
  out.u8(mandatory ? 1 : 0); // immediate is never set: RabbitMQ refuses it
  out.setU32(sizeAt, out.size - sizeAt - 4);
  out.u8(FRAME_END);
  return true;
}

function header(out: FrameBuffer, channel: number, bodySize: number, options: Options.Publish): boolean {
  out.u8(FRAME_HEADER);
  out.u16(channel);
  const sizeAt = out.size;
  out.u32(0);
  out.u16(CLASS_BASIC);
  out.u16(0); // weight
  out.u64(bodySize);
  const flagsAt = out.size;
  out.u16(0);
  let flags = 0;
  const { contentType, contentEncoding, headers, persistent, messageId, timestamp, type, appId } = options;
  if (present(contentType)) {
    flags |= 0x8000;
    if (typeof contentType !== 'string' || !out.shortString(contentType)) return false;
  }
  if (present(contentEncoding)) {
    flags |= 0x4000;
    if (typeof contentEncoding !== 'string' || !out.shortString(contentEncoding)) return false;
  }
  // amqplib always sends a headers table, empty when there are none.
  flags |= 0x2000;
  if (!table(out, (headers ?? {}) as Record<string, unknown>)) return false;
  if (persistent !== undefined) {
    flags |= 0x1000;
    out.u8(persistent ? 2 : 1);
  }
  if (present(messageId)) {
    flags |= 0x0080;
    if (typeof messageId !== 'string' || !out.shortString(messageId)) return false;
  }
  if (present(timestamp)) {
    flags |= 0x0040;
    if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp) || timestamp < 0) return false;
    out.u64(timestamp);
  }
  if (present(type)) {
    flags |= 0x0020;
    if (typeof type !== 'string' || !out.shortString(type)) return false;
  }
  if (present(appId)) {
    flags |= 0x0008;
    if (typeof appId !== 'string' || !out.shortString(appId)) return false;
  }
  out.setU16(flagsAt, flags);
  out.setU32(sizeAt, out.size - sizeAt - 4);
  out.u8(FRAME_END);
  return true;
}

/** A field table; amqplib's encoding (it also walks inherited keys, and skips undefined values). */
function table(out: FrameBuffer, value: Record<string, unknown>): boolean {
  const sizeAt = out.size;
  out.u32(0);
  for (const key in value) {
    const field = value[key];
    if (field === undefined) continue;
    if (!out.shortString(key) || !fieldValue(out, field)) return false;
  }
  out.setU32(sizeAt, out.size - sizeAt - 4);
  return true;
}

function fieldValue(out: FrameBuffer, value: unknown): boolean {
  switch (typeof value) {
    case 'string':
      out.u8(0x53); // 'S'
      out.longString(value);
      return true;
    case 'boolean':
      out.u8(0x74); // 't'
      out.u8(value ? 1 : 0);
      return true;
    case 'number':
      return number(out, value);
    case 'object': {
      if (value === null) {
        out.u8(0x56); // 'V'
        return true;
      }
      if (!Array.isArray(value)) return false; // nested tables, buffers, typed values: amqplib's
      out.u8(0x41); // 'A'
      const sizeAt = out.size;
      out.u32(0);
      for (const item of value as unknown[]) if (!fieldValue(out, item)) return false;
      out.setU32(sizeAt, out.size - sizeAt - 4);
      return true;
    }
    default:
      return false;
  }
}

/** amqplib's choice of type for a JavaScript number: the smallest signed integer, else a double. */
function number(out: FrameBuffer, value: number): boolean {
  // Values amqplib cannot encode either: it throws, and so does its publish.
  if (!Number.isFinite(value) || value < -0x8000000000000000) return false;
  const floating =
    value >= 0x8000000000000000 || (Math.abs(value) < 0x4000000000000 && Math.floor(value) !== value);
  if (floating) {
    out.u8(0x64); // 'd'
    out.f64(value);
  } else if (value < 128 && value >= -128) {
    out.u8(0x62); // 'b'
    out.i8(value);
  } else if (value >= -0x8000 && value < 0x8000) {
    out.u8(0x73); // 's'
    out.i16(value);
  } else if (value >= -0x80000000 && value < 0x80000000) {
    out.u8(0x49); // 'I'
    out.i32(value);
  } else {
    out.u8(0x6c); // 'l'
    out.i64(value);
  }
  return true;
}
