import { describe, expect, it } from 'vitest';
import type {
  AttemptResult,
  DeliverySink,
  DeliveryStoreValue,
  Notification,
} from '../../processors/index.js';
import { notification } from '../fixtures/notifications.js';
import { MemoryStore } from '../fakes/memory-store.js';
import { until } from '../fakes/wait.js';
import { deliveryHarness } from './harness.js';

/** A sink that keeps writes in order and answers only when the test says. */
class HeldSink implements DeliverySink {
  readonly name = 'held';
  readonly orderedWindow = 100;
  readonly written: Notification[] = [];
  private readonly answers: ((result: AttemptResult) => void)[] = [];

  write(n: Notification): Promise<AttemptResult> {
    this.written.push(n);
    return new Promise((resolve) => this.answers.push(resolve));
  }

  answer(...results: AttemptResult[]): void {
    for (const result of results) this.answers.shift()!(result);
  }

  events(): number[] {
    return this.written.map((n) => n.eventNumber);
  }
}

const ok = { kind: 'delivered', statusCode: 200 } as const;
const unavailable = { kind: 'retriable', error: 'HTTP 503', statusCode: 503 } as const;

describe('delivery stage: a window of writes per subscription', () => {
  it('keeps up to the window in flight, in order, and takes the answers in order', async () => {
    const sink = new HeldSink();
    const h = await deliveryHarness({ laneWindow: 4 }, { deliverySink: sink });
    for (let n = 1; n <= 6; n++)
      await h.processor.process({ notification: notification('s', n), offset: String(n - 1) });
    await until(() => sink.written.length === 4);
    expect(sink.events()).toEqual([1, 2, 3, 4]);
    sink.answer(ok, ok);
    await until(() => sink.written.length === 6);
    expect(sink.events()).toEqual([1, 2, 3, 4, 5, 6]);
    sink.answer(ok, ok, ok, ok);
    await until(() => h.processor.committableOffset() === '6');
    expect(h.outcomes.map((o) => `${o.eventNumber}:${o.result}`)).toEqual([
      '1:delivered',
      '2:delivered',
      '3:delivered',
      '4:delivered',
      '5:delivered',
      '6:delivered',
    ]);
    await h.processor.close();
  });

  it('parks the failed one and everything after it, in flight or not, and sends them again in order', async () => {
    const sink = new HeldSink();
    const h = await deliveryHarness({ laneWindow: 4 }, { deliverySink: sink });
    for (let n = 1; n <= 6; n++)
      await h.processor.process({ notification: notification('s', n), offset: String(n - 1) });
    await until(() => sink.written.length === 4);
    sink.answer(ok);
    await until(() => sink.written.length === 5);
    sink.answer(unavailable, ok, ok, ok);
    await until(() => h.processor.committableOffset() === '6', 5_000, 'all parked');
    expect(h.store.keys().filter((k) => k.startsWith('e|s|'))).toHaveLength(5);
    expect(sink.events()).toEqual([1, 2, 3, 4, 5]);

    await h.processor.punctuate(h.clock.advance(60_000));
    // A parked queue is drained one at a time, head first.
    for (let k = 0; k < 5; k++) {
      await until(() => sink.written.length === 6 + k);
      sink.answer(ok);
    }
    await until(() => h.processor.stats().parkedSubscriptions === 0);
    // The subscriber was sent 3, 4 and 5 twice; the first time each was sent, it was in order.
    expect(sink.events()).toEqual([1, 2, 3, 4, 5, 2, 3, 4, 5, 6]);
    expect(h.outcomes.filter((o) => o.result === 'delivered').map((o) => o.eventNumber)).toEqual([
      1, 2, 3, 4, 5, 6,
    ]);
    expect(h.deadLetters).toEqual([]);
    await h.processor.close();
  });

  it('sends one at a time with a window of 1', async () => {
    const sink = new HeldSink();
    const h = await deliveryHarness({ laneWindow: 1 }, { deliverySink: sink });
    for (let n = 1; n <= 3; n++)
      await h.processor.process({ notification: notification('s', n), offset: String(n - 1) });
    for (let k = 1; k <= 3; k++) {
      await until(() => sink.written.length === k);
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(sink.written).toHaveLength(k);
      sink.answer(ok);
    }
    await until(() => h.processor.committableOffset() === '3');
    await h.processor.close();
  });

  it('delivers records that arrive while a drained queue goes live again', async () => {
    /** A store whose deletes wait for the test: the moment the lane goes live, held open. */
    class SlowDeletes extends MemoryStore<DeliveryStoreValue> {
      held: (() => void)[] = [];
      override async delete(key: string): Promise<void> {
        await new Promise<void>((resolve) => this.held.push(resolve));
        await super.delete(key);
      }
    }
    const store = new SlowDeletes('delivery');
    const sink = new HeldSink();
    const h = await deliveryHarness({ laneWindow: 4 }, { deliverySink: sink, store });
    await h.processor.process({ notification: notification('s', 1), offset: '0' });
    await until(() => sink.written.length === 1);
    sink.answer(unavailable);
    await until(() => h.processor.committableOffset() === '1');
    await h.processor.punctuate(h.clock.advance(60_000));
    await until(() => sink.written.length === 2);
    sink.answer(ok);
    await until(() => store.held.length === 1, 5_000, 'the queue state being removed');
    // The lane is live again but its drain has not returned: these go straight out.
    await h.processor.process({ notification: notification('s', 2), offset: '1' });
    await h.processor.process({ notification: notification('s', 3), offset: '2' });
    store.held.shift()!();
    await until(() => sink.written.length === 4);
    sink.answer(ok, ok);
    await until(() => h.processor.committableOffset() === '3');
    expect(h.outcomes.filter((o) => o.result === 'delivered').map((o) => o.eventNumber)).toEqual([1, 2, 3]);
    await h.processor.close();
    expect(h.processor.stats()).toMatchObject({ pendingRecords: 0, parkedSubscriptions: 0 });
  });
});
