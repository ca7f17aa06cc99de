import { afterEach, describe, expect, it } from 'vitest';
import { HttpSink } from '../../../connectors/index.js';
import { startLiveStage, type LiveStage } from '../../deliver/live-stage.js';
import { HttpReceiver } from '../../fakes/http-receiver.js';
import { until } from '../../fakes/wait.js';
import { hookNotifications } from './fixtures.js';

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/**
 * A subscriber whose server is down (connection refused) for a few seconds and then back: its
 * notifications are retried within the time budget, through the circuit breaker opening and
 * half-opening, and all arrive in order; another subscriber on another endpoint never waits.
 */
describe('rest-hook: an endpoint down for a while, then back', () => {
  const down = new HttpReceiver();
  const other = new HttpReceiver();
  const sink = new HttpSink({
    config: { endpointAllowlist: ['127.0.0.1/32'], breakerFailures: 3, breakerHalfOpenAfterMs: 300 },
  });
  let stage: LiveStage | undefined;

  afterEach(async () => {
    await stage?.stop();
    await sink.close();
    await down.stop();
    await other.stop();
  });

  it('delivers everything in order after the outage, dead-letters nothing, and never holds up the other subscriber', async () => {
    const downEndpoint = await down.start();
    const port = down.port();
    const otherEndpoint = await other.start();
    await sink.connect();
    stage = await startLiveStage(sink, {
      maxRetryDurationMs: 20_000,
      backoff: { initialMs: 50, maxMs: 200, multiplier: 2 },
    });
    const feedBoth = async (from: number, to: number) => {
      for (const n of range(from, to)) {
        await stage!.feed(hookNotifications('down', `${downEndpoint}/hook`, n).slice(n - 1));
        await stage!.feed(hookNotifications('other', `${otherEndpoint}/hook`, n).slice(n - 1));
      }
    };

    await feedBoth(1, 5);
    const delivered = () => stage!.outcomes.filter((o) => o.result === 'delivered').length;
    await until(() => delivered() === 10, 5_000, 'first five of each');
    await down.stop();
    const outageStarted = Date.now();

    await feedBoth(6, 30);
    await until(() => other.accepted.length >= 30, 5_000, 'the other subscriber during the outage');
    await until(() => Date.now() - outageStarted > 3_000, 5_000, 'three seconds of outage');
    expect(down.accepted).toHaveLength(5);
    const failed = stage.attempts.get('retriable') ?? 0;
    const deferred = stage.attempts.get('deferred') ?? 0;
    expect(failed + deferred).toBeGreaterThan(10); // more than the old attempt cap, all within budget

    await down.start(port);
    await until(() => delivered() === 60, 10_000, 'all of the down subscriber’s notifications');
    // At least once: a request cut by the outage may arrive twice, but the first copies come in order.
    expect([...new Set(down.acceptedEvents())]).toEqual(range(1, 30));
    expect([...new Set(other.acceptedEvents())]).toEqual(range(1, 30));
    expect(stage.deadLetters).toEqual([]);
    await until(() => stage!.processor.committableOffset() === '60', 5_000, 'everything committable');
    await until(() => stage!.processor.stats().parkedSubscriptions === 0, 5_000, 'the lane live again');
  });

  it('dead-letters in order once the budget is spent while the endpoint stays down', async () => {
    const endpoint = await down.start();
    await down.stop();
    await sink.connect();
    stage = await startLiveStage(sink, {
      maxRetryDurationMs: 1_500,
      backoff: { initialMs: 50, maxMs: 200, multiplier: 2 },
    });
    await stage.feed(hookNotifications('down', `${endpoint}/hook`, 3));
    await until(() => stage!.deadLetters.length === 3, 10_000, 'three dead letters');
    expect(stage.deadLetters.map((d) => d.notification.eventNumber)).toEqual([1, 2, 3]);
    expect(stage.deadLetters[0]?.error).toMatch(/ECONNREFUSED/);
  });
});
