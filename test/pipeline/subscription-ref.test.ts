import { describe, expect, it } from 'vitest';
import { subscriptionRef } from '../../app/pipeline/catalog.js';

describe('subscriptionRef', () => {
  it('reads the canonical keys of the subscriptions table', () => {
    expect(subscriptionRef('Subscription/s1')).toEqual({ key: 'Subscription/s1', id: 's1' });
    expect(subscriptionRef('acme/Subscription/s1')).toEqual({
      key: 'acme/Subscription/s1',
      id: 's1',
      tenant: 'acme',
    });
    expect(subscriptionRef('north%20east/Subscription/s1')?.tenant).toBe('north east');
  });

  it('refuses keys that are not a subscription, or whose tenant is not spelled as the stages key it', () => {
    for (const key of [
      'Patient/p1',
      'Subscription/has space',
      'north east/Subscription/s1', // the stages key this tenant as north%20east/…
      '%41cme/Subscription/s1', // …and this one as Acme/…
      '%E0%A4%A/Subscription/s1', // does not decode
    ])
      expect(subscriptionRef(key), key).toBeUndefined();
  });
});
