import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMatcher, type FhirResource } from '../../processors/index.js';
import { change, NOW, r4Subscription, r5Subscription } from './helpers.js';

const SYSTEMS = ['http://loinc.org', 'urn:other'];
const CODES = ['a', 'b', 'c'];
const TOPIC = 'http://example.org/topic/obs';

const topic: FhirResource = {
  resourceType: 'SubscriptionTopic',
  url: TOPIC,
  status: 'active',
  resourceTrigger: [{ resource: 'Observation', queryCriteria: { current: 'status:not=cancelled' } }],
  canFilterBy: [
    { resource: 'Observation', filterParameter: 'subject' },
    { resource: 'Observation', filterParameter: 'code', modifier: ['not'] },
    { resource: 'Observation', filterParameter: 'date', comparator: ['gt', 'lt'] },
  ],
};

const token = fc.oneof(
  fc.constantFrom(...CODES),
  fc.tuple(fc.constantFrom(...SYSTEMS), fc.constantFrom(...CODES)).map(([s, c]) => `${s}|${c}`),
  fc.constantFrom(...CODES).map((c) => `|${c}`),
  fc.constantFrom(...SYSTEMS).map((s) => `${s}|`),
);
const reference = fc.constantFrom('Patient/1', 'Patient/2', 'Group/1', '1', 'http://x.org/fhir/Patient/1');
const orList = <T extends string>(arb: fc.Arbitrary<T>) =>
  fc.array(arb, { minLength: 1, maxLength: 2 }).map((v) => v.join(','));

const param = fc.oneof(
  orList(token).map((v) => `code=${v}`),
  orList(token).map((v) => `code:not=${v}`),
  orList(fc.constantFrom('final', 'amended', 'cancelled')).map((v) => `status=${v}`),
  orList(reference).map((v) => `subject=${v}`),
  fc.constantFrom('1', '2').map((v) => `patient=${v}`),
  fc.constantFrom('1', '2').map((v) => `subject:Patient=${v}`),
  fc.constantFrom('o1', 'o2').map((v) => `_id=${v}`),
  fc.constantFrom('ge2024-01', 'lt2024-03', '2024-02').map((v) => `date=${v}`),
  fc.constantFrom('true', 'false').map((v) => `subject:missing=${v}`),
);

const classic = fc
  .array(param, { maxLength: 3 })
  .map((params) => (params.length ? `Observation?${params.join('&')}` : 'Observation'));

const filter = fc.oneof(
  reference.map((value) => ({ filterParameter: 'subject', value })),
  token.map((value) => ({ filterParameter: 'code', value })),
  token.map((value) => ({ filterParameter: 'code', modifier: 'not', value })),
  fc
    .constantFrom('2024-01-15', '2024-02')
    .map((value) => ({ filterParameter: 'date', comparator: 'gt', value })),
);

const subscription = fc.record({
  tenant: fc.constantFrom(undefined, 't1'),
  spec: fc.oneof(
    classic.map((criteria) => ({ kind: 'classic' as const, criteria })),
    fc.array(filter, { maxLength: 2 }).map((filters) => ({ kind: 'topic' as const, filters })),
  ),
});

const observation = fc.record({
  id: fc.constantFrom('o1', 'o2'),
  status: fc.constantFrom('final', 'amended', 'cancelled'),
  codings: fc.array(
    fc.record({ system: fc.constantFrom(undefined, ...SYSTEMS), code: fc.constantFrom(...CODES) }),
    { maxLength: 2 },
  ),
  subject: fc.constantFrom(undefined, 'Patient/1', 'Patient/2', 'Group/1', 'http://x.org/fhir/Patient/1'),
  date: fc.constantFrom(undefined, '2024-01-10', '2024-02-20', '2024-03-05T10:00:00Z'),
  tenant: fc.constantFrom(undefined, 't1'),
});

function resourceOf(o: {
  id: string;
  status: string;
  codings: { system: string | undefined; code: string }[];
  subject: string | undefined;
  date: string | undefined;
}): FhirResource {
  return {
    resourceType: 'Observation',
    id: o.id,
    status: o.status,
    code: {
      coding: o.codings.map((c) => (c.system ? { system: c.system, code: c.code } : { code: c.code })),
    },
    ...(o.subject ? { subject: { reference: o.subject } } : {}),
    ...(o.date ? { effectiveDateTime: o.date } : {}),
  };
}

describe('the candidate index answers exactly as a brute-force scan', () => {
  it('for random subscriptions and resources', () => {
    fc.assert(
      fc.property(
        fc.array(subscription, { minLength: 1, maxLength: 25 }),
        fc.array(observation, { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat(24), { maxLength: 6 }),
        (subs, observations, removed) => {
          const m = createMatcher({ now: () => NOW });
          m.putTopic(TOPIC, topic);
          subs.forEach((s, i) => {
            const id = `s${i}`;
            const resource =
              s.spec.kind === 'classic'
                ? r4Subscription(id, s.spec.criteria)
                : r5Subscription(id, TOPIC, s.spec.filters);
            const outcome = m.putSubscription(id, resource, s.tenant ? { tenant: s.tenant } : {});
            expect(outcome.status).toBe('compiled');
          });
          // Deleted subscriptions must leave every bucket they were filed in.
          for (const i of removed) m.deleteSubscription(`s${i}`);
          for (const o of observations) {
            const vc = change('update', resourceOf(o), undefined, o.tenant);
            const indexed = m
              .match(vc)
              .map((x) => x.subscriptionId)
              .sort();
            const brute = subs
              .map((_, i) => `s${i}`)
              .filter((id) => m.explain(id, vc).matched)
              .sort();
            expect(indexed).toEqual(brute);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
