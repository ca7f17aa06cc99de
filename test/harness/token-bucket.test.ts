import { describe, expect, it } from 'vitest';
import {
  changeGenerator,
  driveLoad,
  tokenBucket,
  type ChangeEmitter,
  type Clock,
  type GeneratedChange,
} from '../../bench/harness/index.js';

/** A virtual clock: sleeping advances time at once, so pacing is checked exactly and fast. */
function virtualClock(): Clock {
  let now = 0;
  return { now: () => now, sleep: async (ms) => void (now += ms) };
}

describe('pacing at a set rate', () => {
  it('a token bucket holds the sustained rate on a virtual clock', async () => {
    const clock = virtualClock();
    const bucket = tokenBucket({ ratePerSecond: 5_000, burst: 100, clock });
    for (let i = 0; i < 500; i++) await bucket.take(100);
    // 50,000 tokens at 5,000/s take 10 s (less the first burst the bucket may refill into).
    expect(clock.now()).toBeGreaterThan(9_900);
    expect(clock.now()).toBeLessThan(10_100);
  });

  it('the load driver sends close to the asked rate in real time', async () => {
    const batches: (readonly GeneratedChange[])[] = [];
    const emitter: ChangeEmitter = {
      connect: async () => undefined,
      send: async (batch) => void batches.push(batch),
      close: async () => undefined,
    };
    const result = await driveLoad({
      generator: changeGenerator({ seed: 1 }),
      emitter,
      ratePerSecond: 2_000,
      durationMs: 1_000,
    });
    // Loosely: the machine is shared and timers are coarse.
    expect(result.ratePerSecond).toBeGreaterThan(1_600);
    expect(result.ratePerSecond).toBeLessThan(2_300);
    expect(result.sent).toBe(batches.flat().length);
    const stamped = batches.flat()[0]!;
    expect(stamped.value.occurredAt).toBe(stamped.value.resource.meta?.lastUpdated);
    expect(Date.now() - Date.parse(stamped.value.occurredAt!)).toBeLessThan(5_000);
  });

  it("keeps each resource's versions in order across lanes whose sends finish out of order", async () => {
    const acknowledged: GeneratedChange[] = [];
    let slow = 0;
    const emitter: ChangeEmitter = {
      connect: async () => undefined,
      // Every other batch takes longer, so batches of different lanes overtake each other.
      send: (batch) =>
        new Promise((resolve) =>
          setTimeout(
            () => {
              acknowledged.push(...batch);
              resolve();
            },
            slow++ % 2 === 0 ? 8 : 1,
          ),
        ),
      close: async () => undefined,
    };
    const population = { Patient: 10, Observation: 30, Encounter: 10, Condition: 10 };
    const result = await driveLoad({
      generator: changeGenerator({ seed: 8, population }),
      emitter,
      ratePerSecond: 50_000,
      maxChanges: 3_000,
      batchSize: 200,
      lanes: 4,
    });
    expect(result.sent).toBe(3_000);
    const last = new Map<string, number>();
    for (const { key, value } of acknowledged) {
      expect(Number(value.versionId)).toBe((last.get(key) ?? 0) + 1);
      last.set(key, Number(value.versionId));
    }
  });
});
