import { describe, expect, it } from 'vitest';
import { identifyArrival } from '../../bench/harness/index.js';

const headers =
  (h: Record<string, string>) =>
  (name: string): string | undefined =>
    h[name];

const observation = {
  resourceType: 'Observation',
  id: 'obs-4',
  meta: { versionId: '3', lastUpdated: '2026-01-01T00:00:00.000Z' },
};
const at = Date.parse('2026-01-01T00:00:00.250Z');

describe('identifying a notification', () => {
  it('reads the substream headers and a classic R4 full-resource body', () => {
    const arrival = identifyArrival(
      headers({
        'x-substream-notification-id': 'n-1',
        'x-substream-subscription-id': 'sub-1',
        'x-substream-event-number': '7',
      }),
      JSON.stringify(observation),
      at,
      'rest-hook',
    );
    expect(arrival).toEqual({
      subscriptionId: 'sub-1',
      eventNumber: 7,
      notificationId: 'n-1',
      type: 'event-notification',
      focus: 'Observation/obs-4/_history/3',
      arrivedAt: at,
      latencyMs: 250,
      channel: 'rest-hook',
    });
  });

  it('prefers the plain headers and an occurred-at header for latency', () => {
    const arrival = identifyArrival(
      headers({
        'x-notification-id': 'n-2',
        'x-subscription-id': 'sub-2',
        'x-event-number': '1',
        'x-occurred-at': '2026-01-01T00:00:00.200Z',
      }),
      '',
      at,
      'rest-hook',
    );
    expect(arrival).toMatchObject({
      subscriptionId: 'sub-2',
      notificationId: 'n-2',
      eventNumber: 1,
      latencyMs: 50,
    });
    expect(arrival?.focus).toBeUndefined();
  });

  it('falls back to an R5 notification Bundle with a SubscriptionStatus', () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'subscription-notification',
      entry: [
        {
          resource: {
            resourceType: 'SubscriptionStatus',
            type: 'event-notification',
            subscription: { reference: 'https://example.org/fhir/Subscription/sub-5' },
            notificationEvent: [{ eventNumber: '12', focus: { reference: 'Observation/obs-4' } }],
          },
        },
        { fullUrl: 'Observation/obs-4', resource: observation },
      ],
    };
    expect(identifyArrival(headers({}), JSON.stringify(bundle), at, 'rest-hook')).toEqual({
      subscriptionId: 'sub-5',
      eventNumber: 12,
      notificationId: 'sub-5#12',
      type: 'event-notification',
      focus: 'Observation/obs-4/_history/3',
      arrivedAt: at,
      latencyMs: 250,
      channel: 'rest-hook',
    });
  });

  it('falls back to an R4 backport Bundle with a Parameters status, and sees handshakes', () => {
    const bundle = {
      resourceType: 'Bundle',
      entry: [
        {
          resource: {
            resourceType: 'Parameters',
            parameter: [
              { name: 'subscription', valueReference: { reference: 'Subscription/sub-6' } },
              { name: 'type', valueCode: 'handshake' },
              { name: 'notification-event', part: [{ name: 'event-number', valueString: '0' }] },
            ],
          },
        },
      ],
    };
    expect(identifyArrival(headers({}), JSON.stringify(bundle), at, 'rest-hook')).toMatchObject({
      subscriptionId: 'sub-6',
      eventNumber: 0,
      type: 'handshake',
    });
  });

  it('gives up on a notification nothing names', () => {
    expect(identifyArrival(headers({}), JSON.stringify(observation), at, 'rest-hook')).toBeUndefined();
    expect(identifyArrival(headers({}), 'not json', at, 'rest-hook')).toBeUndefined();
  });
});
