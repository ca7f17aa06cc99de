import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KafkaTransport } from '../../../connectors/index.js';
import {
  KAFKAJS_CONNECTION_MODULE,
  KAFKAJS_REQUEST_MODULE,
  kafkajsConnectionModules,
} from '../../../connectors/kafka/connection-install.js';
import { connectionCodecInstalled } from '../../../connectors/kafka/native-crc.js';
import type { KafkajsConnection } from '../../../connectors/kafka/response-reader.js';

const require = createRequire(import.meta.url);
const Encoder = require('kafkajs/src/protocol/encoder.js') as new () => {
  writeBytes(b: Buffer): unknown;
  buffer: Buffer;
};

function modules() {
  const m = kafkajsConnectionModules();
  if (m === undefined) throw new Error('connection codec not installed');
  return m;
}

/** A connection as processData sees it, recording what reaches the request queue. */
function connection(socket: object = {}) {
  const responses: { size: number; correlationId: number; payload: string }[] = [];
  const c: KafkajsConnection = {
    authHandlers: null,
    socket,
    chunks: [],
    bytesBuffered: 0,
    bytesNeeded: 4,
    requestQueue: {
      fulfillRequest: ({ size, correlationId, payload }) =>
        responses.push({ size, correlationId, payload: payload.toString('hex') }),
    },
  };
  return { c, responses };
}

/** Size-prefixed responses: correlation id, then the payload. */
const frame = (correlationId: number, payload: Buffer) => {
  const b = Buffer.alloc(8 + payload.length);
  b.writeInt32BE(4 + payload.length, 0);
  b.writeInt32BE(correlationId, 4);
  payload.copy(b, 8);
  return b;
};

/** Cuts a buffer at the given points (in any order, duplicates allowed). */
const cut = (bytes: Buffer, points: number[]) => {
  const at = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let from = 0;
  for (const p of [...at, bytes.length]) {
    if (p > from) parts.push(bytes.subarray(from, p));
    from = Math.max(from, p);
  }
  return parts;
};

describe("kafkajs's request framing and response reading", () => {
  it('are what kafkajs loads, once the transport is imported', () => {
    expect(KafkaTransport).toBeDefined();
    expect(connectionCodecInstalled).toBe(true);
    expect(require(KAFKAJS_REQUEST_MODULE)).toBe(modules().replacement.request);
    const Connection = require(KAFKAJS_CONNECTION_MODULE) as { prototype: { processData: unknown } };
    expect(Connection.prototype.processData).toBe(modules().replacement.processData);
  });

  it('frame requests into the same bytes as kafkajs', async () => {
    const { original, replacement } = modules();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 70 }),
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
        fc.uint8Array({ maxLength: 3000 }),
        async (apiKey, apiVersion, correlationId, clientId, body) => {
          const request = {
            apiKey,
            apiVersion,
            encode: async () => {
              const e = new Encoder();
              e.writeBytes(Buffer.from(body));
              return e as never;
            },
          };
          const a = await original.request({ correlationId, clientId, request });
          const b = await replacement.request({ correlationId, clientId, request });
          expect(b.buffer.equals(a.buffer)).toBe(true);
          expect(b.size()).toBe(a.size());
        },
      ),
    );
  });

  it('refuse a body that is not an encoder, as kafkajs does', async () => {
    const request = { apiKey: 0, apiVersion: 3, encode: () => ({}) as never };
    await expect(modules().replacement.request({ correlationId: 1, clientId: 'x', request })).rejects.toThrow(
      'value should be an instance of Encoder',
    );
  });

  it('hand the request queue the same responses as kafkajs, however the bytes are cut', () => {
    const { original, replacement } = modules();
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            correlationId: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
            payload: fc.oneof(
              fc.uint8Array({ maxLength: 40 }),
              fc.uint8Array({ minLength: 1000, maxLength: 9000 }),
            ),
          }),
          { maxLength: 8 },
        ),
        fc.array(fc.nat(), { maxLength: 30 }),
        (responses, points) => {
          const bytes = Buffer.concat(responses.map((r) => frame(r.correlationId, Buffer.from(r.payload))));
          const chunks = cut(bytes, points);
          const a = connection();
          const b = connection();
          for (const chunk of chunks) original.processData.call(a.c, chunk);
          for (const chunk of chunks) replacement.processData.call(b.c, chunk);
          expect(b.responses).toEqual(a.responses);
          expect(b.responses).toHaveLength(responses.length);
        },
      ),
    );
  });

  it('go on from bytes kafkajs kept while authenticating, and start afresh on a new socket', () => {
    const { original, replacement } = modules();
    const bytes = Buffer.concat([frame(7, Buffer.from('abc')), frame(8, Buffer.from('defgh'))]);
    const b = connection();
    // Authentication done with half a frame kept by kafkajs's own function.
    original.processData.call(b.c, bytes.subarray(0, 5));
    replacement.processData.call(b.c, bytes.subarray(5, 13));
    replacement.processData.call(b.c, bytes.subarray(13));
    expect(b.responses.map((r) => r.correlationId)).toEqual([7, 8]);
    // A half-read response is dropped with its socket.
    replacement.processData.call(b.c, frame(9, Buffer.alloc(100)).subarray(0, 50));
    b.c.socket = {};
    replacement.processData.call(b.c, frame(10, Buffer.from('z')));
    expect(b.responses.map((r) => r.correlationId)).toEqual([7, 8, 10]);
  });

  it('leave frames to kafkajs while authenticating', () => {
    const { replacement } = modules();
    const seen: Buffer[] = [];
    const b = connection();
    b.c.authHandlers = { onSuccess: (raw: Buffer) => seen.push(raw) };
    (b.c as unknown as { authExpectResponse: boolean }).authExpectResponse = false;
    replacement.processData.call(b.c, Buffer.from('raw'));
    expect(seen.map(String)).toEqual(['raw']);
    expect(b.responses).toEqual([]);
  });
});
