import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../../fakes/wait.js';
import { hookNotifications, restHookScenario } from './fixtures.js';

describe('rest-hook: 429 with Retry-After', () => {
  const scenario = restHookScenario((_, index) =>
    index === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 },
  );
  const receiver = scenario.receiver;
  afterEach(() => scenario.stop());

  it('waits as long as the subscriber asked before trying again, not the shorter back-off', async () => {
    const { endpoint, stage } = await scenario.start();
    await stage.feed(hookNotifications('s1', endpoint, 3));
    await until(() => receiver.accepted.length === 3, 10_000);
    const [refused, retried] = receiver.received;
    expect(retried!.at - refused!.at).toBeGreaterThanOrEqual(990);
    expect(receiver.acceptedEvents()).toEqual([1, 2, 3]);
    expect(stage.outcomes[0]).toMatchObject({ result: 'failed', statusCode: 429, error: 'HTTP 429' });
  });
});
