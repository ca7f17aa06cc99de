import type { FhirResource, Match, StoredVersion } from '../../processors/index.js';
import { knownJson, lazyJson, resourceOfSourceRecord, stringifyWithKnown } from '../../processors/index.js';
import type { Codec } from '../../state/index.js';
import { codecs, DecodeError, ownConcat, ownUtf8 } from '../../state/index.js';

/**
 * The matches repartition topic is internal (this processor writes and reads it), so its records
 * use a layout of their own:
 *
 *   0x01 | match without resource and previous (JSON) | \n | resource (JSON) | \n | previous (JSON)
 *
 * An absent resource or previous is an empty segment. JSON text never holds a raw newline (the
 * encoder escapes it in strings) and UTF-8 never puts 0x0A inside a multi-byte character, so the
 * separators cannot be mistaken. The point is the resource: a change matched by several
 * subscriptions is serialised once, not once per match (its text is remembered, and the stores
 * that keep it reuse it too), and the text read back is spliced into the payloads. Records in
 * the old layout (one JSON object, first byte `{`) are still read, so a topic written by an
 * older version drains.
 */
const VERSION_1 = 0x01;
const OPEN_BRACE = 0x7b;
const NEWLINE = 0x0a;

export function matchRecordCodec(): Codec<Match> {
  const parse = <T>(bytes: Buffer, start: number, end: number): T =>
    JSON.parse(bytes.toString('utf8', start, end)) as T;
  /**
   * A resource segment, its text remembered: the notification payloads embed it as it is, and
   * most never read a field of it, so it is parsed only if something does (lazyJson).
   */
  const resource = (bytes: Buffer, start: number, end: number): FhirResource => {
    const text = bytes.toString('utf8', start, end);
    // What the encoder writes is an object; anything else is not a segment of ours.
    if (text[0] !== '{' || text[text.length - 1] !== '}')
      throw new Error('a resource segment is not an object');
    return lazyJson(() => {
      try {
        return JSON.parse(text) as FhirResource;
      } catch (cause) {
        throw new DecodeError('Match record resource cannot be decoded', { cause });
      }
    }, text);
  };
  return {
    name: 'match-v1',
    encode(match) {
      const { resource, previous, ...rest } = match;
      return Buffer.from(
        `\u0001${JSON.stringify(rest)}\n${resource ? knownJson(resource) : ''}\n${
          previous ? knownJson(previous) : ''
        }`,
        'utf8',
      );
    },
    decode(bytes) {
      try {
        if (bytes[0] === OPEN_BRACE) return parse<Match>(bytes, 0, bytes.length);
        if (bytes[0] !== VERSION_1) throw new Error(`unknown layout byte ${bytes[0]}`);
        const first = bytes.indexOf(NEWLINE, 1);
        const second = first < 0 ? -1 : bytes.indexOf(NEWLINE, first + 1);
        if (second < 0) throw new Error('missing segment separator');
        const match = parse<Match>(bytes, 1, first);
        if (second > first + 1) match.resource = resource(bytes, first + 1, second);
        if (bytes.length > second + 1) match.previous = resource(bytes, second + 1, bytes.length);
        return match;
      } catch (cause) {
        throw new DecodeError('Match record cannot be decoded', { cause });
      }
    },
  };
}

/**
 * Plain JSON for store values, with the remembered text of the resources they hold (the versions
 * and retained events stores): the same bytes as `codecs.json()`, without serialising a resource
 * that a match record already did.
 */
export function storeValueCodec<T>(): Codec<T> {
  const json = codecs.json<T>();
  return {
    name: json.name,
    // Store values are cached for long after they are written: each in memory of its own (own-bytes.ts).
    encode: (value) => ownUtf8(stringifyWithKnown(value)),
    decode: json.decode,
  };
}

const SOURCE_RECORD = 0x02;

/**
 * Values of the versions store. A version whose resource came in a canonical JSON change record
 * (`StoredVersion.record`) is kept with that record's bytes rather than with the resource
 * serialised again:
 *
 *   0x02 | the version without resource and record (JSON) | \n | the changelog record, as it came
 *
 * Every other version (primed bodies, bodies from other formats or from a repartition) is plain
 * JSON, the layout older versions wrote, which is still read. Reading a version keeps the record
 * with it (a tombstone that keeps the deleted body is stored the same way) and takes its
 * resource from it as the decode stage did, when the resource is first read.
 */
export function versionValueCodec(): Codec<StoredVersion> {
  const plain = storeValueCodec<StoredVersion>();
  return {
    name: 'version-v2',
    encode(value) {
      const { resource, record, ...header } = value;
      if (record === undefined || resource === undefined) {
        return plain.encode(record === undefined ? value : { ...header, ...(resource ? { resource } : {}) });
      }
      return ownConcat([Buffer.from(`\u0002${JSON.stringify(header)}\n`, 'utf8'), record]);
    },
    decode(bytes) {
      if (bytes[0] !== SOURCE_RECORD) return plain.decode(bytes);
      try {
        const end = bytes.indexOf(NEWLINE, 1);
        if (end < 0) throw new Error('missing segment separator');
        const header = JSON.parse(bytes.toString('utf8', 1, end)) as StoredVersion;
        const record = bytes.subarray(end + 1);
        // Kept only from records that begin an object (sourceRecordOf).
        if (record[0] !== OPEN_BRACE) throw new Error('the record is not a JSON object');
        // Most stored versions are read as the previous version of a change and never looked
        // into (criteria and payloads that read %previous are few): parsed on first use.
        header.resource = lazyJson(() => {
          try {
            const resource = resourceOfSourceRecord(record);
            if (resource === undefined) throw new Error('the record holds no resource');
            return resource;
          } catch (cause) {
            throw new DecodeError('Stored version cannot be decoded', { cause });
          }
        });
        header.record = record;
        return header;
      } catch (cause) {
        throw new DecodeError('Stored version cannot be decoded', { cause });
      }
    },
  };
}
