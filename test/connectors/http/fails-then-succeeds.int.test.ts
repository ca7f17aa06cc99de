import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../../fakes/wait.js';
import { hookNotifications, restHookScenario } from './fixtures.js';

describe('rest-hook: a receiver that fails N times then succeeds', () => {
  const scenario = restHookScenario((_, index) => ({ status: index < 3 ? 503 : 200 }));
  const receiver = scenario.receiver;
  afterEach(() => scenario.stop());

  it('retries with back-off and delivers everything once, in order', async () => {
    const { endpoint, stage } = await scenario.start();
    await stage.feed(hookNotifications('s1', `${endpoint}/hook`, 20));
    await until(() => receiver.accepted.length === 20, 10_000, '20 deliveries');
    expect(receiver.acceptedEvents()).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(receiver.received.slice(0, 4).map((r) => r.headers['x-substream-event-number'])).toEqual([
      '1',
      '1',
      '1',
      '1',
    ]);
    await until(() => stage.processor.committableOffset() === '20');
    expect(stage.outcomes.filter((o) => o.result === 'failed').map((o) => o.attempts)).toEqual([1, 2, 3]);
    expect(stage.outcomes.find((o) => o.result === 'delivered')).toMatchObject({
      eventNumber: 1,
      attempts: 4,
      statusCode: 200,
    });
  });
});

describe('rest-hook: a receiver that refuses some of a window, then accepts', () => {
  const scenario = restHookScenario((_, index) => ({ status: index < 3 ? 503 : 200 }), { laneWindow: 8 });
  const receiver = scenario.receiver;
  afterEach(() => scenario.stop());

  it('sends every notification first in order, re-sends from the refused one, and ends each once', async () => {
    const { endpoint, stage } = await scenario.start();
    await stage.feed(hookNotifications('s1', `${endpoint}/hook`, 20));
    await until(() => stage.processor.committableOffset() === '20', 10_000);
    await until(() => stage.outcomes.filter((o) => o.result === 'delivered').length === 20, 10_000);
    const firstSent = [
      ...new Set(receiver.received.map((r) => Number(r.headers['x-substream-event-number']))),
    ];
    expect(firstSent).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(new Set(receiver.acceptedEvents())).toEqual(new Set(firstSent));
    expect(stage.outcomes.filter((o) => o.result === 'delivered').map((o) => o.eventNumber)).toEqual(
      firstSent,
    );
  });
});
