/**
 * The conformance suite every sink passes: open/close, a batch, parallel writers, and no loss
 * through a dropped connection (with the delivery stage and the connection supervisor around it).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotConnectedError, superviseConnection, type Sink } from '../../../connectors/index.js';
import type { Notification } from '../../../processors/index.js';
import { notification } from '../../fixtures/notifications.js';
import { until } from '../../fakes/wait.js';
import { startLiveStage } from '../../deliver/live-stage.js';

export interface ConformanceSetup {
  sink: Sink;
  channel: Notification['channel'];
  /** Notification ids as the receiving side got them, in arrival order. */
  received(): string[];
  /** Breaks the transport under the sink (from the far side when the transport allows it). */
  interrupt(): Promise<void>;
  teardown(): Promise<void>;
}

export function describeSinkConformance(name: string, setup: () => Promise<ConformanceSetup>): void {
  describe(`${name} sink conformance`, () => {
    let target: ConformanceSetup;
    const to = (subscriptionId: string, eventNumber: number) =>
      notification(subscriptionId, eventNumber, { channel: target.channel });

    beforeEach(async () => {
      target = await setup();
    });

    afterEach(async () => {
      await target.sink.close();
      await target.teardown();
    });

    it('opens, closes idempotently, refuses writes while closed, and opens again', async () => {
      await target.sink.connect();
      expect(target.sink.isConnected()).toBe(true);
      await Promise.all([target.sink.close(), target.sink.close()]);
      await target.sink.close();
      expect(target.sink.isConnected()).toBe(false);
      await expect(target.sink.write(to('s', 1))).rejects.toBeInstanceOf(NotConnectedError);
      await target.sink.connect();
      expect(await target.sink.write(to('s', 2))).toMatchObject({ kind: 'delivered' });
      await until(() => target.received().length === 1, 10_000);
      expect(target.received()).toEqual(['s-2']);
    });

    it('delivers a batch of writes issued together', async () => {
      await target.sink.connect();
      const batch = Array.from({ length: 300 }, (_, i) => to('batch', i + 1));
      const results = await Promise.all(batch.map((n) => target.sink.write(n)));
      expect(results.every((r) => r.kind === 'delivered')).toBe(true);
      await until(() => target.received().length === 300, 10_000);
      expect(new Set(target.received())).toEqual(new Set(batch.map((n) => n.notificationId)));
    });

    it('serves parallel writers, each in its own order', async () => {
      await target.sink.connect();
      const writers = Array.from({ length: 8 }, (_, w) => `w${w}`);
      await Promise.all(
        writers.map(async (w) => {
          for (let n = 1; n <= 40; n++)
            expect(await target.sink.write(to(w, n))).toMatchObject({ kind: 'delivered' });
        }),
      );
      await until(() => target.received().length === 320, 10_000);
      for (const w of writers) {
        expect(target.received().filter((id) => id.startsWith(`${w}-`))).toEqual(
          Array.from({ length: 40 }, (_, i) => `${w}-${i + 1}`),
        );
      }
    });

    it('loses nothing through a dropped connection', async () => {
      await target.sink.connect();
      const supervisor = superviseConnection(target.sink, { initialDelayMs: 50, maxDelayMs: 500 });
      const stage = await startLiveStage(target.sink, { defaultMaxAttempts: 1_000 });
      try {
        const subscriptions = ['a', 'b', 'c'];
        const rounds = 200;
        const feeding = (async () => {
          for (let n = 1; n <= rounds; n++) {
            await stage.feed(subscriptions.map((s) => to(s, n)));
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
        })();
        await until(() => target.received().length > 90, 20_000, 'the stream under way');
        await target.interrupt();
        await feeding;
        const total = subscriptions.length * rounds;
        await until(() => stage.processor.committableOffset() === String(total), 60_000, 'every record safe');
        await until(() => stage.processor.stats().parkedSubscriptions === 0, 60_000, 'parked queues drained');
        await until(() => new Set(target.received()).size === total, 20_000, 'every notification received');
        for (const s of subscriptions) {
          const firstSeen = [...new Set(target.received().filter((id) => id.startsWith(`${s}-`)))];
          expect(firstSeen).toEqual(Array.from({ length: rounds }, (_, i) => `${s}-${i + 1}`));
        }
        expect(stage.deadLetters).toEqual([]);
      } finally {
        supervisor.stop();
        await stage.stop();
      }
    });
  });
}
