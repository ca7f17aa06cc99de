import { describe, expect, it } from 'vitest';
import { notification } from '../fixtures/notifications.js';
import { until } from '../fakes/wait.js';
import { deliveryHarness } from './harness.js';

describe('delivery stage: outcomes', () => {
  it("carries the notification's tenant, which keys the subscription's status record", async () => {
    const h = await deliveryHarness();
    h.sink.script('b', { kind: 'permanent', statusCode: 410, error: 'gone' });
    await h.processor.process({ notification: notification('a', 1, { tenant: 'north' }), offset: '0' });
    await h.processor.process({ notification: notification('b', 1, { tenant: 'south' }), offset: '1' });
    await h.processor.process({ notification: notification('c', 1), offset: '2' });
    await until(() => h.outcomes.length === 3);
    const bySubscription = new Map(h.outcomes.map((o) => [o.subscriptionId, o]));
    expect(bySubscription.get('a')).toMatchObject({ tenant: 'north', result: 'delivered' });
    expect(bySubscription.get('b')).toMatchObject({ tenant: 'south', result: 'dead-lettered' });
    expect(bySubscription.get('c')).not.toHaveProperty('tenant');
    await h.processor.close();
  });
});
