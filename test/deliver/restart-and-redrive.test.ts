import { describe, expect, it } from 'vitest';
import { redriveDeadLetters } from '../../processors/index.js';
import { notification } from '../fixtures/notifications.js';
import { until } from '../fakes/wait.js';
import { deliveryHarness } from './harness.js';

/** A stage that parked `count` notifications of subscription `s` after one failure, then stopped. */
async function stoppedWithParked(count: number) {
  const first = await deliveryHarness();
  first.sink.script('s', { kind: 'retriable', error: 'HTTP 500', statusCode: 500 });
  for (let n = 1; n <= count; n++)
    await first.processor.process({ notification: notification('s', n), offset: String(n) });
  await until(() => first.processor.committableOffset() === String(count + 1));
  await first.processor.close();
  return first;
}

describe('delivery stage: state survives a restart; dead letters can be redriven', () => {
  it('resumes a parked queue from the store after a restart, in order', async () => {
    const first = await stoppedWithParked(3);

    const second = await deliveryHarness({}, { store: first.store, clock: first.clock });
    expect(second.processor.stats().parkedSubscriptions).toBe(1);
    await second.processor.process({ notification: notification('s', 4), offset: '4' });
    await second.processor.punctuate(second.clock.advance(60_000));
    await until(() => second.sink.deliveredEvents('s').length === 4);
    expect(second.sink.deliveredEvents('s')).toEqual([1, 2, 3, 4]);
    expect(second.outcomes[0]).toMatchObject({ eventNumber: 1, attempts: 2 });
    await second.processor.close();
  });

  it('picks up parked entries even when their queue state is missing', async () => {
    const first = await stoppedWithParked(2);
    await first.store.delete('q|s');

    const second = await deliveryHarness({}, { store: first.store, clock: first.clock });
    expect(second.processor.stats().parkedSubscriptions).toBe(1);
    await second.processor.punctuate(second.clock.now());
    await until(() => second.sink.deliveredEvents('s').length === 2);
    expect(second.sink.deliveredEvents('s')).toEqual([1, 2]);
    await second.processor.close();
  });

  it('redrives a subscription’s dead letters through the running stage, in event order', async () => {
    const h = await deliveryHarness();
    const gone = { kind: 'permanent', error: 'HTTP 410', statusCode: 410 } as const;
    h.sink.script('s', gone, gone);
    for (let n = 1; n <= 3; n++)
      await h.processor.process({ notification: notification('s', n), offset: String(n) });
    await until(() => h.processor.committableOffset() === '4');
    expect(h.sink.deliveredEvents('s')).toEqual([3]);

    expect(await h.processor.redrive('s')).toBe(2);
    await h.processor.punctuate(h.clock.now());
    await until(() => h.sink.deliveredEvents('s').length === 3);
    expect(h.sink.deliveredEvents('s')).toEqual([3, 1, 2]);
    await until(() => h.processor.stats().parkedSubscriptions === 0);
    expect(h.store.keys()).toEqual([]);
    expect(await h.processor.redrive('s')).toBe(0);
    await h.processor.close();
  });

  it('redrives offline, into a store the stage picks up at start', async () => {
    const h = await deliveryHarness();
    h.sink.script('s', { kind: 'permanent', error: 'HTTP 400', statusCode: 400 });
    await h.processor.process({ notification: notification('s', 7), offset: '0' });
    await until(() => h.deadLetters.length === 1);
    await h.processor.close();

    expect(await redriveDeadLetters(h.store, 's', h.clock.now())).toBe(1);
    const next = await deliveryHarness({}, { store: h.store, clock: h.clock });
    await next.processor.punctuate(next.clock.now());
    await until(() => next.sink.deliveredEvents('s').length === 1);
    expect(next.sink.deliveredEvents('s')).toEqual([7]);
    await next.processor.close();
  });
});
