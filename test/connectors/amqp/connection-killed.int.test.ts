import { afterEach, describe, expect, it } from 'vitest';
import { AmqpSink, superviseConnection, type ConnectionSupervisor } from '../../../connectors/index.js';
import { RABBITMQ_URL, TestQueue } from '../../fakes/amqp-queue.js';
import { closeConnectionsNamed } from '../../fakes/rabbitmq-admin.js';
import { until } from '../../fakes/wait.js';
import { notification } from '../../fixtures/notifications.js';
import { startLiveStage, type LiveStage } from '../../deliver/live-stage.js';

describe('AMQP sink: the broker connection is killed mid-stream', () => {
  const queue = new TestQueue();
  const connectionName = `test-kill-${queue.name}`;
  const sink = new AmqpSink({ config: { url: RABBITMQ_URL, connectionName, confirmWindow: 100 } });
  let supervisor: ConnectionSupervisor | undefined;
  let stage: LiveStage | undefined;

  afterEach(async () => {
    supervisor?.stop();
    await stage?.stop();
    await sink.close();
    await queue.stop();
  });

  it('loses nothing, keeps each subscription in order, and duplicates only with the same message id', async () => {
    await queue.start();
    await sink.connect();
    supervisor = superviseConnection(sink, { initialDelayMs: 100, maxDelayMs: 1_000 });
    stage = await startLiveStage(sink);
    const subscriptions = ['s1', 's2', 's3'];
    const perSubscription = 1_000;
    const feeding = (async () => {
      for (let n = 1; n <= perSubscription; n++) {
        await stage.feed(
          subscriptions.map((s) =>
            notification(s, n, {
              channel: { type: 'message', endpoint: `channel:${queue.name}`, headers: [] },
            }),
          ),
        );
        // Paced over several seconds so that the kill lands in the middle of the stream.
        await new Promise((resolve) => setTimeout(resolve, 8));
      }
    })();
    await until(() => queue.messages.length > 300, 20_000, 'the stream to be under way');
    expect(await closeConnectionsNamed(connectionName)).toBe(sink.config.connections);
    const total = subscriptions.length * perSubscription;
    expect(queue.messages.length).toBeLessThan(total);
    await feeding;
    await until(() => stage?.processor.committableOffset() === String(total), 60_000, 'every record safe');
    await until(() => stage?.processor.stats().parkedSubscriptions === 0, 60_000, 'parked queues drained');
    await until(
      () => new Set(queue.messages.map((m) => m.properties.messageId)).size === total,
      20_000,
      'all messages',
    );

    for (const s of subscriptions) {
      const mine = queue.messages.filter((m) => m.properties.headers?.['x-substream-subscription-id'] === s);
      // A duplicate carries the same message id as the original: the id is a function of the event.
      for (const m of mine)
        expect(m.properties.messageId).toBe(`${s}-${m.properties.headers?.['x-substream-event-number']}`);
      const firstSeen = [...new Map(mine.map((m) => [m.properties.messageId as string, m])).keys()];
      expect(firstSeen).toEqual(Array.from({ length: perSubscription }, (_, i) => `${s}-${i + 1}`));
    }
    // Writes met the dropped connection, were parked, and were retried once the supervisor reconnected.
    expect(stage.attempts.get('not-connected') ?? 0).toBeGreaterThan(0);
    expect(stage.deadLetters).toEqual([]);
    console.log(`${queue.messages.length} messages for ${total} notifications through a killed connection`);
  });
});
