import { DecodeError } from './errors.js';

/** Turns values into bytes and back. `decode` throws DecodeError on bytes it cannot read. */
export interface Codec<T> {
  readonly name: string;
  encode(value: T): Buffer;
  decode(bytes: Buffer): T;
}

function json<T>(): Codec<T> {
  return {
    name: 'json',
    encode: (value) => Buffer.from(JSON.stringify(value)),
    decode: (bytes) => {
      try {
        return JSON.parse(bytes.toString('utf8')) as T;
      } catch (cause) {
        throw new DecodeError('Value is not valid JSON', { cause });
      }
    },
  };
}

const string: Codec<string> = {
  name: 'string',
  encode: (value) => Buffer.from(value, 'utf8'),
  decode: (bytes) => bytes.toString('utf8'),
};

const buffer: Codec<Buffer> = { name: 'buffer', encode: (value) => value, decode: (bytes) => bytes };

export const codecs = { json, string, buffer };
