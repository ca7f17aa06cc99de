import { afterEach, describe, expect, it } from 'vitest';
import { HttpSink } from '../../../connectors/index.js';
import { HttpReceiver } from '../../fakes/http-receiver.js';
import { notification } from '../../fixtures/notifications.js';

const to = (endpoint: string) =>
  notification('s', 1, { channel: { type: 'rest-hook', endpoint, headers: [] } });

describe('rest-hook: forgery guard', () => {
  const receiver = new HttpReceiver();
  const sinks: HttpSink[] = [];

  afterEach(async () => {
    await Promise.all(sinks.map((s) => s.close()));
    await receiver.stop();
  });

  async function sink(allowlist: string[]): Promise<HttpSink> {
    const s = new HttpSink({ config: { endpointAllowlist: allowlist } });
    sinks.push(s);
    await s.connect();
    return s;
  }

  it('refuses 127.0.0.1, by address or by a name resolving to it, as a permanent failure', async () => {
    const endpoint = await receiver.start();
    const guarded = await sink([]);
    const byAddress = await guarded.write(to(endpoint));
    expect(byAddress).toMatchObject({ kind: 'permanent' });
    expect(byAddress.kind === 'permanent' && byAddress.error).toMatch(/127\.0\.0\.1.*not on the allowlist/);
    const byName = await guarded.write(to(`http://localhost:${receiver.port()}/`));
    expect(byName).toMatchObject({ kind: 'permanent' });
    expect(receiver.received).toHaveLength(0);
  });

  it('delivers when the address or the host name is allowed', async () => {
    const endpoint = await receiver.start();
    expect(await (await sink(['127.0.0.0/8'])).write(to(endpoint))).toEqual({
      kind: 'delivered',
      statusCode: 200,
    });
    expect(await (await sink(['localhost'])).write(to(`http://localhost:${receiver.port()}/`))).toEqual({
      kind: 'delivered',
      statusCode: 200,
    });
    expect(receiver.received).toHaveLength(2);
  });
});
