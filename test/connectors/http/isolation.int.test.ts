import { afterEach, describe, expect, it } from 'vitest';
import { HttpReceiver } from '../../fakes/http-receiver.js';
import { until } from '../../fakes/wait.js';
import { startLiveStage, type LiveStage } from '../../deliver/live-stage.js';
import { hookNotifications, loopbackSink } from './fixtures.js';

describe('rest-hook: one subscriber down does not slow the others', () => {
  const healthy = new HttpReceiver();
  const down = new HttpReceiver();
  const sink = loopbackSink({ breakerFailures: 5 });
  let stage: LiveStage | undefined;

  afterEach(async () => {
    await stage?.stop();
    await sink.close();
    await healthy.stop();
    await down.stop();
  });

  it('keeps delivering the healthy subscription at full speed while the other is parked, then catches up in order', async () => {
    const healthyUrl = await healthy.start();
    // Reserve a port for the subscriber that is down, then close it: connections are refused.
    const downUrl = await down.start();
    const downPort = down.port();
    await down.stop();
    await sink.connect();
    stage = await startLiveStage(sink, { defaultMaxAttempts: 1_000 });

    const started = Date.now();
    const total = 1_000;
    const healthyBatch = hookNotifications('healthy', `${healthyUrl}/hook`, total);
    const downBatch = hookNotifications('down', `${downUrl}/hook`, total);
    // Interleaved in one partition, as the two subscriptions would share it.
    await stage.feed(healthyBatch.flatMap((n, i) => [downBatch[i]!, n]));
    await until(() => healthy.accepted.length === total, 30_000, 'healthy deliveries');
    const healthySeconds = (Date.now() - started) / 1000;
    expect(healthy.acceptedEvents()).toEqual(healthyBatch.map((n) => n.eventNumber));
    // Everything is safe (delivered or parked): the input offset moved past the dead subscriber.
    await until(
      () => stage?.processor.committableOffset() === String(2 * total),
      5_000,
      'offset past all records',
    );
    expect(stage.processor.stats().parkedSubscriptions).toBe(1);

    // The subscriber stays down for a while, then comes back on the same port.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(down.accepted).toHaveLength(0);
    await down.start(downPort);
    await until(() => down.accepted.length === total, 30_000, 'catch-up deliveries');
    expect(down.acceptedEvents()).toEqual(downBatch.map((n) => n.eventNumber));
    // Finishing at all before the other subscriber is back is the isolation; the bound only catches a crawl.
    expect(healthySeconds).toBeLessThan(25);
    console.log(
      `healthy subscription: ${total} deliveries in ${healthySeconds.toFixed(2)} s while the other was down`,
    );
  });
});
