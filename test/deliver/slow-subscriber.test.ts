import { describe, expect, it } from 'vitest';
import type { AttemptResult, DeliverySink, Notification } from '../../processors/index.js';
import { notification } from '../fixtures/notifications.js';
import { until } from '../fakes/wait.js';
import { deliveryHarness } from './harness.js';

/** Answers every subscription at once, except `slow`, whose writes wait until released. */
class SlowSink implements DeliverySink {
  readonly name = 'slow';
  readonly delivered: Notification[] = [];
  private waiting: (() => void)[] = [];

  async write(n: Notification): Promise<AttemptResult> {
    if (n.subscriptionId === 'slow') await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.delivered.push(n);
    return { kind: 'delivered' };
  }

  release(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}

describe('delivery stage: a slow (not failing) subscriber', () => {
  it('has its backlog parked so that the partition’s other subscriptions and its offsets move on', async () => {
    const sink = new SlowSink();
    const h = await deliveryHarness({ maxPendingRecords: 20 }, { deliverySink: sink });
    const processor = h.processor;
    let offset = 0;
    for (let n = 1; n <= 50; n++) {
      await processor.process({ notification: notification('slow', n), offset: String(offset++) });
      await processor.process({ notification: notification('fast', n), offset: String(offset++) });
    }
    await until(() => sink.delivered.filter((d) => d.subscriptionId === 'fast').length === 50);
    // Only the first slow delivery is in flight; everything else is delivered or parked.
    await until(() => processor.stats().pendingRecords === 1);
    expect(h.store.keys().filter((k) => k.startsWith('e|slow|'))).toHaveLength(49);
    for (let round = 0; round < 200 && sink.delivered.length < 100; round++) {
      sink.release();
      await processor.punctuate(h.clock.advance(1_000));
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(sink.delivered.filter((d) => d.subscriptionId === 'slow').map((d) => d.eventNumber)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    await until(() => processor.committableOffset() === '100');
    await processor.close();
  });
});
