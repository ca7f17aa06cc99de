/**
 * Accounting of a run: what the oracle expected each subscription to receive against what arrived.
 * Delivered counts unique notifications (by notification id); a second arrival of the same id is a
 * duplicate; an event number lower than one already seen for the subscription is out of order; a
 * focus version that was expected and never arrived is missing.
 */
import type { ChangeEvent } from '../../../processors/index.js';
import type { Oracle } from '../generate/oracle.js';
import type { Arrival } from '../receive/arrival.js';

/** Expected notifications per subscription, keyed by focus `Type/id/_history/version`. */
export interface ExpectedLedger {
  add(subscriptionId: string, focus: string): void;
  /** Adds what the oracle expects of one change. */
  addChange(change: ChangeEvent): void;
  bySubscription(): ReadonlyMap<string, ReadonlySet<string>>;
}

export function focusKey(change: Pick<ChangeEvent, 'resourceType' | 'id' | 'versionId'>): string {
  return `${change.resourceType}/${change.id}${change.versionId !== undefined ? `/_history/${change.versionId}` : ''}`;
}

export function expectedLedger(oracle?: Oracle): ExpectedLedger {
  const map = new Map<string, Set<string>>();
  const add = (subscriptionId: string, focus: string): void => {
    let set = map.get(subscriptionId);
    if (set === undefined) map.set(subscriptionId, (set = new Set()));
    set.add(focus);
  };
  return {
    add,
    addChange(change) {
      if (oracle === undefined) throw new RangeError('this ledger has no oracle; use add()');
      const focus = focusKey(change);
      for (const s of oracle.expected(change)) add(s.id, focus);
    },
    bySubscription: () => map,
  };
}

export interface Counts {
  expected: number;
  delivered: number;
  missing: number;
  duplicate: number;
  outOfOrder: number;
  /** Delivered focus versions the oracle did not expect. */
  unexpected: number;
}

export interface AccountingReport {
  totals: Counts;
  bySubscription: Map<string, Counts>;
  /** Subscriptions with at least one missing notification, first 20. */
  worst: { subscriptionId: string; missing: number }[];
}

const zero = (): Counts => ({
  expected: 0,
  delivered: 0,
  missing: 0,
  duplicate: 0,
  outOfOrder: 0,
  unexpected: 0,
});

export function account(options: {
  expected: ExpectedLedger;
  arrivals: readonly Arrival[];
}): AccountingReport {
  const expected = options.expected.bySubscription();
  const bySubscription = new Map<string, Counts>();
  const seenIds = new Map<string, Set<string>>();
  const seenFocus = new Map<string, Set<string>>();
  const maxEvent = new Map<string, number>();
  const unfocused = new Map<string, number>();
  const counts = (id: string): Counts => {
    let c = bySubscription.get(id);
    if (c === undefined) bySubscription.set(id, (c = zero()));
    return c;
  };

  for (const a of options.arrivals) {
    if (a.type !== 'event-notification') continue;
    const c = counts(a.subscriptionId);
    const identity = a.notificationId ?? (a.focus !== undefined ? `focus:${a.focus}` : undefined);
    let ids = seenIds.get(a.subscriptionId);
    if (ids === undefined) seenIds.set(a.subscriptionId, (ids = new Set()));
    if (identity !== undefined && ids.has(identity)) {
      c.duplicate++;
      continue;
    }
    if (identity !== undefined) ids.add(identity);
    c.delivered++;
    if (a.eventNumber !== undefined) {
      const max = maxEvent.get(a.subscriptionId) ?? Number.NEGATIVE_INFINITY;
      if (a.eventNumber < max) c.outOfOrder++;
      else maxEvent.set(a.subscriptionId, a.eventNumber);
    }
    if (a.focus !== undefined) {
      let focus = seenFocus.get(a.subscriptionId);
      if (focus === undefined) seenFocus.set(a.subscriptionId, (focus = new Set()));
      focus.add(a.focus);
    } else {
      unfocused.set(a.subscriptionId, (unfocused.get(a.subscriptionId) ?? 0) + 1);
    }
  }

  for (const [id, focuses] of expected) {
    const c = counts(id);
    c.expected = focuses.size;
    const seen = seenFocus.get(id) ?? new Set<string>();
    let missing = 0;
    for (const f of focuses) if (!seen.has(f)) missing++;
    // Arrivals whose payload names no focus can only be counted against what is still missing.
    c.missing = Math.max(0, missing - (unfocused.get(id) ?? 0));
  }
  for (const [id, seen] of seenFocus) {
    const wanted = expected.get(id);
    let unexpected = 0;
    for (const f of seen) if (!wanted?.has(f)) unexpected++;
    counts(id).unexpected = unexpected;
  }

  const totals = zero();
  for (const c of bySubscription.values()) {
    for (const k of Object.keys(totals) as (keyof Counts)[]) totals[k] += c[k];
  }
  const worst = [...bySubscription]
    .filter(([, c]) => c.missing > 0)
    .sort((a, b) => b[1].missing - a[1].missing)
    .slice(0, 20)
    .map(([subscriptionId, c]) => ({ subscriptionId, missing: c.missing }));
  return { totals, bySubscription, worst };
}

/** The one line each fault run prints. */
export function formatCounts(run: string, c: Counts): string {
  return (
    `${run}: expected ${c.expected}, delivered ${c.delivered}, missing ${c.missing}, duplicate ${c.duplicate}` +
    `, out-of-order ${c.outOfOrder}, unexpected ${c.unexpected}`
  );
}
