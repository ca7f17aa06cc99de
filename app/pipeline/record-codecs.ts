import type { FhirResource, Match } from '../../processors/index.js';
import { knownJson, rememberJson, stringifyWithKnown } from '../../processors/index.js';
import type { Codec } from '../../state/index.js';
import { codecs, DecodeError } from '../../state/index.js';

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
  /** A resource segment, its text remembered: the notification payloads embed it as it is. */
  const resource = (bytes: Buffer, start: number, end: number): FhirResource => {
    const text = bytes.toString('utf8', start, end);
    const r = JSON.parse(text) as FhirResource;
    rememberJson(r, text);
    return r;
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
    encode: (value) => Buffer.from(stringifyWithKnown(value), 'utf8'),
    decode: json.decode,
  };
}
