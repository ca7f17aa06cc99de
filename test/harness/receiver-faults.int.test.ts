import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { startHttpReceiver } from '../../bench/harness/index.js';

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

describe('the receiver playing a failing endpoint', () => {
  it('answers an error status to chosen subscriptions for a period, then accepts again', async () => {
    const receiver = await startHttpReceiver();
    try {
      receiver.failFor({ durationMs: 300, status: 503, subscriptionIds: ['down'] });
      expect(await post(receiver.url, 'down', 1)).toBe(503);
      expect(await post(receiver.url, 'up', 1)).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 350));
      expect(await post(receiver.url, 'down', 1)).toBe(200);
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
    const receiver = await startHttpReceiver();
    try {
      expect(await post(receiver.url, 's', 1)).toBe(200);
      await receiver.goDown(300);
      await expect(post(receiver.url, 's', 2)).rejects.toThrow();
      await receiver.whenUp();
      expect(await post(receiver.url, 's', 3)).toBe(200);
      expect(receiver.arrivals().map((a) => a.eventNumber)).toEqual([1, 3]);
    } finally {
      await receiver.close();
    }
  });
});
