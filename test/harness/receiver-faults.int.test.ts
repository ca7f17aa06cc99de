import { once } from 'node:events';
import { connect } from 'node:net';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import {
  startHttpReceiver,
  startThreadedHttpReceiver,
  type HttpReceiver,
} from '../../bench/harness/index.js';

async function post(url: string, subscriptionId: string, eventNumber: number): Promise<number> {
  const response = await request(url, {
    method: 'POST',
    headers: {
      'x-substream-subscription-id': subscriptionId,
      'x-substream-event-number': String(eventNumber),
      'x-substream-notification-id': `${subscriptionId}:${eventNumber}`,
      'content-type': 'application/fhir+json',
    },
    body: JSON.stringify({
      resourceType: 'Patient',
      id: 'pat-1',
      meta: { versionId: '1', lastUpdated: new Date().toISOString() },
    }),
  });
  await response.body.text();
  return response.statusCode;
}

const receivers: [string, () => Promise<HttpReceiver>][] = [
  ['in this thread', () => startHttpReceiver()],
  ['on a thread of its own', () => startThreadedHttpReceiver()],
];

describe.each(receivers)('the receiver %s playing a failing endpoint', (where, startReceiver) => {
  it('answers an error status to chosen subscriptions for a period, then accepts again', async () => {
    const receiver = await startReceiver();
    try {
      receiver.failFor({ durationMs: 300, status: 503, subscriptionIds: ['down'] });
      expect(await post(receiver.url, 'down', 1)).toBe(503);
      expect(await post(receiver.url, 'up', 1)).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 350));
      expect(await post(receiver.url, 'down', 1)).toBe(200);
      await receiver.settled();
      expect(receiver.rejected()).toBe(1);
      expect(receiver.arrivals().map((a) => a.subscriptionId)).toEqual(['up', 'down']);
      expect(receiver.arrivals()[0]).toMatchObject({
        eventNumber: 1,
        notificationId: 'up:1',
        focus: 'Patient/pat-1/_history/1',
      });
      expect(receiver.arrivals()[0]!.latencyMs).toBeGreaterThanOrEqual(0);
    } finally {
      await receiver.close();
    }
  });

  it('refuses connections while down and listens on the same port again after', async () => {
    const receiver = await startReceiver();
    try {
      expect(await post(receiver.url, 's', 1)).toBe(200);
      await receiver.goDown(300);
      await expect(post(receiver.url, 's', 2)).rejects.toThrow();
      await receiver.whenUp();
      expect(await post(receiver.url, 's', 3)).toBe(200);
      await receiver.settled();
      expect(receiver.arrivals().map((a) => a.eventNumber)).toEqual([1, 3]);
    } finally {
      await receiver.close();
    }
  });

  it('stamps arrivals with their time of arrival, whatever the starting thread is busy with', async () => {
    const receiver = await startReceiver();
    const socket = connect(receiver.port, '127.0.0.1');
    try {
      await once(socket, 'connect');
      const body = '{"resourceType":"Patient","id":"pat-1","meta":{"versionId":"1"}}';
      const sent = Date.now();
      // On a connected socket the bytes reach the kernel within this call, before the thread blocks.
      socket.write(
        `POST / HTTP/1.1\r\nhost: x\r\nx-substream-subscription-id: busy\r\nx-substream-event-number: 1\r\n` +
          `content-type: application/fhir+json\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
      );
      const until = Date.now() + 200;
      while (Date.now() < until);
      await once(socket, 'data');
      await receiver.settled();
      const [arrival] = receiver.arrivals();
      expect(arrival).toBeDefined();
      if (where === 'on a thread of its own') expect(arrival!.arrivedAt - sent).toBeLessThan(150);
      else expect(arrival!.arrivedAt - sent).toBeGreaterThanOrEqual(190);
    } finally {
      socket.destroy();
      await receiver.close();
    }
  });
});
