import { describe, expect, it } from 'vitest';
import { notification } from '../fixtures/notifications.js';
import { until } from '../fakes/wait.js';
import { deliveryHarness } from './harness.js';

describe('delivery stage: dead letters', () => {
  it('dead-letters a permanent refusal at once, with its context, and goes on', async () => {
    const h = await deliveryHarness();
    h.sink.script('s', { kind: 'permanent', error: 'HTTP 404', statusCode: 404 });
    await h.processor.process({ notification: notification('s', 1), offset: '0' });
    await h.processor.process({ notification: notification('s', 2), offset: '1' });
    await until(() => h.processor.committableOffset() === '2');
    expect(h.deadLetters).toEqual([
      expect.objectContaining({
        sink: 'scripted',
        attempts: 1,
        error: 'HTTP 404',
        statusCode: 404,
        sourceOffset: '0',
      }),
    ]);
    expect(h.deadLetters[0]?.notification.eventNumber).toBe(1);
    expect(h.outcomes.map((o) => o.result)).toEqual(['dead-lettered', 'delivered']);
    expect(h.store.keys()).toEqual(['d|s|0000000000000001|s-1']);
    await h.processor.close();
  });

  it('dead-letters after the subscription’s max attempts, then delivers the next one', async () => {
    const h = await deliveryHarness();
    const fail = { kind: 'retriable', error: 'ECONNREFUSED' } as const;
    h.sink.script('s', fail, fail, fail);
    await h.processor.process({ notification: notification('s', 1, { maxAttempts: 3 }), offset: '0' });
    await h.processor.process({ notification: notification('s', 2, { maxAttempts: 3 }), offset: '1' });
    await until(() => h.processor.committableOffset() === '2');
    for (let i = 0; i < 2; i++) {
      await h.processor.punctuate(h.clock.advance(60_000));
      await until(() => h.sink.attempts.length === i + 2 || h.deadLetters.length > 0);
    }
    await until(() => h.sink.deliveredEvents('s').length === 1);
    expect(h.deadLetters).toHaveLength(1);
    expect(h.deadLetters[0]).toMatchObject({ attempts: 3, error: 'ECONNREFUSED', sourceOffset: '0' });
    expect(h.deadLetters[0]?.firstFailedAt).toBeDefined();
    expect(h.sink.deliveredEvents('s')).toEqual([2]);
    expect(h.outcomes.map((o) => `${o.eventNumber}:${o.result}:${o.attempts}`)).toEqual([
      '1:failed:1',
      '1:failed:2',
      '1:dead-lettered:3',
      '2:delivered:1',
    ]);
    await h.processor.close();
  });

  it('does not count transport outages against the subscriber', async () => {
    const h = await deliveryHarness({ defaultMaxAttempts: 2 });
    h.sink.script('s', 'not-connected', 'not-connected', 'not-connected');
    await h.processor.process({ notification: notification('s', 1), offset: '0' });
    await until(() => h.processor.committableOffset() === '1');
    for (let i = 2; i <= 4; i++) {
      await h.processor.punctuate(h.clock.advance(60_000));
      await until(() => h.sink.attempts.length === i);
    }
    await until(() => h.sink.deliveredEvents('s').length === 1);
    expect(h.deadLetters).toEqual([]);
    expect(h.outcomes.map((o) => o.result)).toEqual(['delivered']);
    await h.processor.close();
  });
});
