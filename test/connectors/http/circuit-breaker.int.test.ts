import { afterEach, describe, expect, it } from 'vitest';
import { HttpSink } from '../../../connectors/index.js';
import { HttpReceiver } from '../../fakes/http-receiver.js';
import { notification } from '../../fixtures/notifications.js';

describe('rest-hook: circuit breaker per endpoint', () => {
  let healthy = false;
  const receiver = new HttpReceiver(() => ({ status: healthy ? 200 : 503 }));
  const sink = new HttpSink({
    config: { endpointAllowlist: ['127.0.0.1'], breakerFailures: 3, breakerHalfOpenAfterMs: 400 },
  });

  afterEach(async () => {
    await sink.close();
    await receiver.stop();
  });

  it('stops calling an endpoint that does not answer, then lets one request through to close again', async () => {
    const endpoint = await receiver.start();
    const port = receiver.port();
    await receiver.stop();
    await sink.connect();
    const write = (n: number) =>
      sink.write(notification('s', n, { channel: { type: 'rest-hook', endpoint, headers: [] } }));
    for (let n = 1; n <= 3; n++)
      expect(await write(n)).toMatchObject({
        kind: 'retriable',
        error: expect.stringMatching(/ECONNREFUSED/),
      });
    expect(await write(4)).toMatchObject({
      kind: 'deferred',
      error: expect.stringMatching(/circuit open/),
      retryAfterMs: 400,
    });

    healthy = true;
    await receiver.start(port);
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(await write(5)).toEqual({ kind: 'delivered', statusCode: 200 });
    expect(await write(6)).toEqual({ kind: 'delivered', statusCode: 200 });
    expect(receiver.received).toHaveLength(2);
  });

  it('does not open on error statuses: they may concern one subscription only', async () => {
    healthy = false;
    const endpoint = await receiver.start();
    await sink.connect();
    const write = (n: number) =>
      sink.write(notification('s', n, { channel: { type: 'rest-hook', endpoint, headers: [] } }));
    const before = receiver.received.length;
    for (let n = 1; n <= 6; n++) expect(await write(n)).toMatchObject({ kind: 'retriable', statusCode: 503 });
    expect(receiver.received.length - before).toBe(6);
  });
});
