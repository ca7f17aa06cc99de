import { describe, expect, it } from 'vitest';
import { createMatcher, type FhirResource } from '../../processors/index.js';
import { change, NOW, r4Subscription } from './helpers.js';

const patient: FhirResource = { resourceType: 'Patient', id: 'p1', active: true };

describe('tenancy (DESIGN.md section 6): a subscription sees only its own tenant', () => {
  it('matches changes of its tenant only', () => {
    const m = createMatcher();
    m.putSubscription('a', r4Subscription('a', 'Patient'), { tenant: 'clinic-a' });
    m.putSubscription('b', r4Subscription('b', 'Patient'), { tenant: 'clinic-b' });
    m.putSubscription('none', r4Subscription('none', 'Patient'));
    expect(m.match(change('create', patient, undefined, 'clinic-a')).map((x) => x.subscriptionId)).toEqual([
      'a',
    ]);
    expect(m.match(change('create', patient, undefined, 'clinic-b')).map((x) => x.subscriptionId)).toEqual([
      'b',
    ]);
    expect(m.match(change('create', patient)).map((x) => x.subscriptionId)).toEqual(['none']);
  });

  it('the match carries the tenant', () => {
    const m = createMatcher();
    m.putSubscription('a', r4Subscription('a', 'Patient'), { tenant: 'clinic-a' });
    expect(m.match(change('create', patient, undefined, 'clinic-a'))[0]?.tenant).toBe('clinic-a');
  });
});

describe('subscription status and end', () => {
  it.each([
    ['active matches', { status: 'active' }, true],
    ['requested matches', { status: 'requested' }, true],
    ['off does not', { status: 'off' }, false],
    ['error does not', { status: 'error' }, false],
    ['an end in the past does not', { end: '2024-01-01T00:00:00Z' }, false],
    ['an end in the future does', { end: '2030-01-01T00:00:00Z' }, true],
  ])('%s', (_rule, extra, expected) => {
    const m = createMatcher({ now: () => NOW });
    m.putSubscription('s', r4Subscription('s', 'Patient', extra));
    expect(m.match(change('create', patient))).toHaveLength(expected ? 1 : 0);
  });

  it('deleting a subscription stops its matches', () => {
    const m = createMatcher();
    m.putSubscription('s', r4Subscription('s', 'Patient?active=true'));
    m.deleteSubscription('s');
    expect(m.match(change('create', patient))).toEqual([]);
    expect(m.size).toBe(0);
  });

  it('replacing a subscription re-indexes it', () => {
    const m = createMatcher();
    m.putSubscription('s', r4Subscription('s', 'Patient?active=false'));
    m.putSubscription('s', r4Subscription('s', 'Patient?active=true'));
    expect(m.match(change('create', patient)).map((x) => x.subscriptionId)).toEqual(['s']);
  });
});
