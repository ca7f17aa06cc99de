import { describe, expect, it } from 'vitest';
import { account, expectedLedger, formatCounts, type Arrival } from '../../bench/harness/index.js';

function arrival(
  subscriptionId: string,
  eventNumber: number,
  focus: string,
  extra: Partial<Arrival> = {},
): Arrival {
  return {
    subscriptionId,
    eventNumber,
    notificationId: `${subscriptionId}-n${eventNumber}`,
    type: 'event-notification',
    focus,
    arrivedAt: 1_000 + eventNumber,
    channel: 'rest-hook',
    ...extra,
  };
}

describe('accounting of a run', () => {
  const ledger = expectedLedger();
  for (let v = 1; v <= 5; v++) ledger.add('a', `Observation/obs-1/_history/${v}`);
  for (let v = 1; v <= 3; v++) ledger.add('b', `Patient/pat-1/_history/${v}`);

  it('counts everything delivered once, in order, as complete', () => {
    const arrivals = [1, 2, 3, 4, 5].map((n) => arrival('a', n, `Observation/obs-1/_history/${n}`));
    arrivals.push(...[1, 2, 3].map((n) => arrival('b', n, `Patient/pat-1/_history/${n}`)));
    const { totals } = account({ expected: ledger, arrivals });
    expect(totals).toEqual({
      expected: 8,
      delivered: 8,
      missing: 0,
      duplicate: 0,
      outOfOrder: 0,
      unexpected: 0,
    });
  });

  it('finds missing, duplicate and out-of-order notifications per subscription', () => {
    const arrivals = [
      arrival('a', 1, 'Observation/obs-1/_history/1'),
      arrival('a', 3, 'Observation/obs-1/_history/3'),
      arrival('a', 2, 'Observation/obs-1/_history/2'), // late: out of order
      arrival('a', 3, 'Observation/obs-1/_history/3'), // same notification id again: duplicate
      arrival('b', 1, 'Patient/pat-1/_history/1'),
      arrival('b', 2, 'Patient/pat-9/_history/1'), // not expected
    ];
    const report = account({ expected: ledger, arrivals });
    expect(report.bySubscription.get('a')).toEqual({
      expected: 5,
      delivered: 3,
      missing: 2,
      duplicate: 1,
      outOfOrder: 1,
      unexpected: 0,
    });
    expect(report.bySubscription.get('b')).toMatchObject({
      expected: 3,
      delivered: 2,
      missing: 2,
      unexpected: 1,
    });
    expect(report.worst[0]).toEqual({ subscriptionId: 'a', missing: 2 });
    expect(formatCounts('kill-9', report.totals)).toBe(
      'kill-9: expected 8, delivered 5, missing 4, duplicate 1, out-of-order 1, unexpected 1',
    );
  });

  it('ignores handshakes and heartbeats, and counts payloads without a focus against what is missing', () => {
    const arrivals = [
      arrival('b', 0, 'x', { type: 'handshake' }),
      arrival('b', 1, 'Patient/pat-1/_history/1'),
      { ...arrival('b', 2, ''), focus: undefined },
      { ...arrival('b', 3, ''), focus: undefined },
    ];
    const report = account({ expected: ledger, arrivals });
    expect(report.bySubscription.get('b')).toMatchObject({ expected: 3, delivered: 3, missing: 0 });
  });
});
