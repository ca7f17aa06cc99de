import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Options } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { encodePublish, FrameBuffer } from '../../../connectors/amqp/publish-frames.js';
import { publishOptions } from '../../../connectors/index.js';
import { notification } from '../../fixtures/notifications.js';

// amqplib's own encoders (not exported by its package): the bytes it would write for the same publish.
const require = createRequire(import.meta.url);
const lib = join(dirname(require.resolve('amqplib')), 'lib');
interface Fields {
  [key: string]: unknown;
}
const defs = require(join(lib, 'defs.js')) as {
  BasicPublish: number;
  BasicProperties: number;
  encodeMethod(id: number, channel: number, fields: Fields): Buffer;
  encodeProperties(id: number, channel: number, size: number, fields: Fields): Buffer;
};
const frame = require(join(lib, 'frame.js')) as { makeBodyFrame(channel: number, body: Buffer): Buffer };
const args = require(join(lib, 'api_args.js')) as {
  publish(exchange: string, routingKey: string, options: Options.Publish): Fields;
};

function amqplibBytes(
  channel: number,
  exchange: string,
  key: string,
  body: Buffer,
  options: Options.Publish,
): Buffer {
  const fields = args.publish(exchange, key, options);
  const parts = [
    defs.encodeMethod(defs.BasicPublish, channel, fields),
    defs.encodeProperties(defs.BasicProperties, channel, body.length, fields),
  ];
  if (body.length > 0) parts.push(frame.makeBodyFrame(channel, body));
  return Buffer.concat(parts);
}

function ours(
  channel: number,
  exchange: string,
  key: string,
  body: Buffer,
  options: Options.Publish,
): Buffer | undefined {
  const out = new FrameBuffer();
  return encodePublish(out, channel, exchange, key, body, options, 131_072) ? out.take() : undefined;
}

const now = 1_767_225_600_123;

describe('encoded publish frames', () => {
  it('are the bytes amqplib writes for a notification', () => {
    const n = notification('subscription-1', 300, {
      properties: { 'x-selector': 'Patient', list: ['a', 'ünïcødé'] },
      channel: {
        type: 'message',
        endpoint: 'channel:q',
        headers: ['Authorization: Bearer x', 'X-Tenant: 7'],
      },
    });
    const options = publishOptions(n, { persistent: true, mandatory: true, now });
    const body = Buffer.from('{"resourceType":"Bundle","id":"é"}');
    expect(ours(3, '', 'queue-1', body, options)).toEqual(amqplibBytes(3, '', 'queue-1', body, options));
    expect(ours(7, 'fhir', 'Patient.créé', body, options)).toEqual(
      amqplibBytes(7, 'fhir', 'Patient.créé', body, options),
    );
  });

  it('cover every number type, booleans, null, absent properties, non-persistent and empty bodies', () => {
    const headers = {
      small: 5,
      negative: -100,
      short: 30_000,
      int: 2_000_000_000,
      long: 2 ** 40,
      negativeLong: -(2 ** 40),
      double: 1.5,
      yes: true,
      no: false,
      none: null,
      skipped: undefined,
      nested: [1, [2, 'x'], true],
    };
    for (const options of [
      { headers, persistent: false, mandatory: false } satisfies Options.Publish,
      { headers: {}, messageId: 'm', timestamp: 0 } satisfies Options.Publish,
      { contentType: 'text/plain' } satisfies Options.Publish,
      {} satisfies Options.Publish,
    ]) {
      for (const body of [Buffer.alloc(0), Buffer.from('x')]) {
        expect(ours(1, 'ex', 'rk', body, options)).toEqual(amqplibBytes(1, 'ex', 'rk', body, options));
      }
    }
  });

  it('leave to amqplib what they do not cover, and write nothing for it', () => {
    const out = new FrameBuffer();
    const body = Buffer.from('x');
    expect(encodePublish(out, 1, '', 'q', body, { headers: { nested: { a: 1 } } }, 131_072)).toBe(false);
    expect(encodePublish(out, 1, '', 'q', body, { priority: 3 }, 131_072)).toBe(false);
    expect(encodePublish(out, 1, '', 'q', body, { headers: { n: Number.NaN } }, 131_072)).toBe(false);
    expect(encodePublish(out, 1, '', 'q', body, { messageId: 'x'.repeat(256) }, 131_072)).toBe(false);
    expect(encodePublish(out, 1, '', 'q', Buffer.alloc(5000), {}, 4096)).toBe(false);
    expect(out.size).toBe(0);
  });

  it('append several publishes, growing the buffer as needed', () => {
    const out = new FrameBuffer();
    const big = Buffer.alloc(40_000, 1);
    const expected: Buffer[] = [];
    for (let i = 0; i < 3; i++) {
      const options: Options.Publish = { messageId: `m-${i}`, persistent: true, headers: { i } };
      expect(encodePublish(out, 2, '', 'q', big, options, 131_072)).toBe(true);
      expected.push(amqplibBytes(2, '', 'q', big, options));
    }
    expect(out.take().equals(Buffer.concat(expected))).toBe(true);
    expect(out.size).toBe(0);
  });
});
