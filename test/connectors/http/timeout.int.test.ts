import { afterEach, describe, expect, it } from 'vitest';
import { HttpSink } from '../../../connectors/index.js';
import { HttpReceiver } from '../../fakes/http-receiver.js';
import { notification } from '../../fixtures/notifications.js';

describe('rest-hook: a subscriber that never answers', () => {
  const receiver = new HttpReceiver(() => ({ status: 200, hang: true }));
  const sink = new HttpSink({ config: { endpointAllowlist: ['127.0.0.1'], requestTimeoutMs: 300 } });

  afterEach(async () => {
    await sink.close();
    await receiver.stop();
  });

  it('gives up after the request timeout with a retriable failure', async () => {
    const endpoint = await receiver.start();
    await sink.connect();
    const started = Date.now();
    const result = await sink.write(
      notification('s', 1, { channel: { type: 'rest-hook', endpoint, headers: [] } }),
    );
    expect(result).toMatchObject({ kind: 'retriable', error: expect.stringMatching(/timeout/i) });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
