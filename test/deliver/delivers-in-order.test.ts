import { describe, expect, it } from 'vitest';
import { notification } from '../fixtures/notifications.js';
import { until } from '../fakes/wait.js';
import { deliveryHarness } from './harness.js';

describe('delivery stage: live lanes', () => {
  it('delivers each subscription in event order and commits past delivered records', async () => {
    const h = await deliveryHarness();
    expect(h.processor.committableOffset()).toBeUndefined();
    let offset = 0;
    for (let n = 1; n <= 5; n++) {
      for (const sub of ['a', 'b'])
        await h.processor.process({ notification: notification(sub, n), offset: String(offset++) });
    }
    await until(() => h.processor.committableOffset() === '10');
    expect(h.sink.deliveredEvents('a')).toEqual([1, 2, 3, 4, 5]);
    expect(h.sink.deliveredEvents('b')).toEqual([1, 2, 3, 4, 5]);
    expect(h.outcomes.filter((o) => o.result === 'delivered')).toHaveLength(10);
    expect(h.outcomes[0]).toMatchObject({
      subscriptionId: 'a',
      eventNumber: 1,
      attempts: 1,
      statusCode: 200,
    });
    expect(h.store.keys()).toEqual([]);
    await h.processor.close();
  });

  it('parks the longest backlog when too many records are pending, and still delivers in order', async () => {
    const h = await deliveryHarness({ maxPendingRecords: 2, maxConcurrency: 1 });
    const accepted: number[] = [];
    const feeding = (async () => {
      for (let n = 1; n <= 6; n++) {
        await h.processor.process({ notification: notification('a', n), offset: String(n) });
        accepted.push(n);
      }
    })();
    await feeding;
    await until(() => h.processor.committableOffset() === '7');
    expect(accepted).toHaveLength(6);
    // The spilled queue is due at once: it drains without waiting for a punctuation.
    await until(() => h.sink.deliveredEvents('a').length === 6);
    expect(h.sink.deliveredEvents('a')).toEqual([1, 2, 3, 4, 5, 6]);
    await until(() => h.processor.stats().parkedSubscriptions === 0);
    await h.processor.close();
  });
});
