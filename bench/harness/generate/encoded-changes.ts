/**
 * Changes generated and serialised before a run, so that sending them costs only a timestamp and
 * the produce request: at 10,000 changes/s building and serialising a 1–3 KB resource (about
 * 90 µs per change here) would take a whole core. The changes are split into parts by key, one part
 * per sender, so a resource's versions stay in order on the one sender that owns it.
 */
import { hashSeed } from './resources.js';
import { PLACEHOLDER_TIME, type ChangeGenerator, type GeneratedChange } from './changes.js';

/** One sender's share of the changes, serialised back to back in one transferable buffer. */
export interface EncodedPart {
  /** Record values (ChangeEvent JSON, UTF-8), back to back. */
  data: Uint8Array;
  /** End offset in `data` of each record's value; a record starts where the previous one ends. */
  ends: Uint32Array;
  /** Kafka key of each record (`Type/id`). */
  keys: string[];
  /** Two offsets per record in `data` where the send time goes (occurredAt, meta.lastUpdated); NO_STAMP when absent. */
  stamps: Uint32Array;
}

export const NO_STAMP = 0xffffffff;
const PLACEHOLDER = Buffer.from(PLACEHOLDER_TIME, 'latin1');

/** The part (sender) that owns a key. */
export function partOf(key: string, parts: number): number {
  return hashSeed(key) % parts;
}

export interface PregenerateOptions {
  generator: ChangeGenerator;
  parts: number;
  /** Records every part needs; generation stops once each has at least this many. */
  perPart: number;
  /** Sees every change as generated (the oracle records what it expects of it), with its part and index there. */
  onChange?: (change: GeneratedChange, part: number, index: number) => void;
}

/**
 * Generates changes until every part has `perPart` records, serialising each with placeholder
 * timestamps of a real timestamp's length so that stamping at send time is an in-place write.
 */
export function pregenerate(options: PregenerateOptions): EncodedPart[] {
  const { generator, parts, perPart } = options;
  if (!(parts >= 1) || !(perPart >= 1)) throw new RangeError('pregenerate needs parts ≥ 1 and perPart ≥ 1');
  const chunks: Buffer[][] = Array.from({ length: parts }, () => []);
  const keys: string[][] = Array.from({ length: parts }, () => []);
  const stamps: number[][] = Array.from({ length: parts }, () => []);
  const bytes: number[] = new Array<number>(parts).fill(0);
  let short = parts;
  // A hot key can leave one part behind; the cap bounds generation if a part barely gets any.
  const limit = perPart * parts * 4;
  for (let n = 0; short > 0 && n < limit; n++) {
    const change = generator.next();
    change.value.occurredAt = PLACEHOLDER_TIME;
    const part = partOf(change.key, parts);
    const list = keys[part] as string[];
    options.onChange?.(change, part, list.length);
    const value = Buffer.from(JSON.stringify(change.value), 'utf8');
    const first = value.indexOf(PLACEHOLDER);
    const second = first < 0 ? -1 : value.indexOf(PLACEHOLDER, first + PLACEHOLDER.length);
    const base = bytes[part] as number;
    (stamps[part] as number[]).push(
      first < 0 ? NO_STAMP : base + first,
      second < 0 ? NO_STAMP : base + second,
    );
    (chunks[part] as Buffer[]).push(value);
    list.push(change.key);
    bytes[part] = base + value.length;
    if (list.length === perPart) short--;
  }
  return chunks.map((values, p) => {
    // A buffer of its own (not Node's pool), so it can be transferred to a worker thread.
    const data = new Uint8Array(new ArrayBuffer(bytes[p] as number));
    const ends = new Uint32Array(values.length);
    let at = 0;
    values.forEach((v, i) => {
      data.set(v, at);
      at += v.length;
      ends[i] = at;
    });
    return { data, ends, keys: keys[p] as string[], stamps: Uint32Array.from(stamps[p] as number[]) };
  });
}

/** Writes the send time (an ISO timestamp, the placeholder's length) into records [from, to) of a part. */
export function stampRecords(part: EncodedPart, from: number, to: number, iso: string): void {
  if (iso.length !== PLACEHOLDER_TIME.length) throw new RangeError(`not an ISO timestamp: ${iso}`);
  const view = Buffer.from(part.data.buffer, part.data.byteOffset, part.data.byteLength);
  for (let i = from; i < to; i++) {
    for (const at of [part.stamps[2 * i] as number, part.stamps[2 * i + 1] as number]) {
      if (at !== NO_STAMP) view.write(iso, at, 'latin1');
    }
  }
}

/** The value of record i of a part, as a view on its data. */
export function recordValue(part: EncodedPart, i: number): Buffer {
  const start = i === 0 ? 0 : (part.ends[i - 1] as number);
  return Buffer.from(part.data.buffer, part.data.byteOffset + start, (part.ends[i] as number) - start);
}
