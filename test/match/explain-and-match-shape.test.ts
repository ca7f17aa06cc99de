import { describe, expect, it } from 'vitest';
import { createMatcher, type FhirResource } from '../../processors/index.js';
import { change, r4Subscription } from './helpers.js';

const obs: FhirResource = {
  resourceType: 'Observation',
  id: 'o1',
  meta: { versionId: '7' },
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '1234-5' }] },
  subject: { reference: 'Patient/1' },
};

describe('explanations: which criterion passed or failed', () => {
  it('lists every criterion with its verdict, failures included', () => {
    const m = createMatcher();
    m.putSubscription('s', r4Subscription('s', 'Observation?code=1234-5&subject=Patient/2'));
    const verdict = m.explain('s', change('create', obs));
    expect(verdict.matched).toBe(false);
    expect(verdict.reasons).toContainEqual({ criterion: 'code=1234-5', passed: true });
    expect(verdict.reasons).toContainEqual({ criterion: 'subject=Patient/2', passed: false });
  });

  it('says why a subscription that failed to compile never matches', () => {
    const m = createMatcher();
    m.putSubscription('s', r4Subscription('s', 'Observation?colour=red'));
    const verdict = m.explain('s', change('create', obs));
    expect(verdict.matched).toBe(false);
    expect(verdict.reasons[0]?.detail).toContain("'colour'");
  });

  it('an unknown subscription is explained as such', () => {
    expect(createMatcher().explain('nope', change('create', obs)).reasons[0]).toEqual({
      criterion: 'subscription',
      passed: false,
      detail: 'unknown',
    });
  });
});

describe('Match (processors/contracts.ts)', () => {
  it('carries the focus reference and version, the resources and the change offset', () => {
    const m = createMatcher();
    m.putSubscription('s', r4Subscription('s', 'Observation?code=1234-5'));
    const previous = { ...obs, status: 'preliminary' };
    const [match] = m.match({ ...change('update', obs, previous), changeOffset: '42' });
    expect(match).toEqual({
      subscriptionId: 's',
      interaction: 'update',
      focus: { reference: 'Observation/o1', versionId: '7' },
      resource: obs,
      previous,
      occurredAt: '2024-06-01T00:00:00.000Z',
      changeOffset: '42',
    });
  });

  it('a change that does not say when it happened is stamped with the time it is matched for, the same on every pass', () => {
    let clock = Date.parse('2024-06-01T00:00:00Z');
    const m = createMatcher({ now: () => clock });
    m.putSubscription('s', r4Subscription('s', 'Observation?code=1234-5'));
    const vc = change('create', obs);
    delete vc.change.occurredAt;
    const recordTime = Date.parse('2024-05-31T23:59:58Z');
    const first = m.match(vc, recordTime);
    clock += 60_000; // processed again a minute later, after a failover
    const again = m.match(vc, recordTime);
    expect(first[0]?.occurredAt).toBe('2024-05-31T23:59:58.000Z');
    expect(again).toEqual(first);
    // Without a record time, the matcher's clock.
    expect(m.match(vc)[0]?.occurredAt).toBe(new Date(clock).toISOString());
  });

  it('a FHIRPath error on one change is reported and that subscription does not match; the others do', () => {
    const errors: string[] = [];
    const m = createMatcher({ onEvaluationError: (id, error) => errors.push(`${id}: ${error.message}`) });
    m.putSubscription('ok', r4Subscription('ok', 'Observation'));
    const ext = 'https://medplum.com/fhir/StructureDefinition/fhir-path-criteria-expression';
    m.putSubscription(
      'bad',
      r4Subscription('bad', 'Observation', { extension: [{ url: ext, valueString: '%current.id + 1' }] }),
    );
    expect(m.outcome('bad')?.status).toBe('compiled');
    expect(m.match(change('create', obs)).map((x) => x.subscriptionId)).toEqual(['ok']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('bad: ');
  });

  it('without an error handler, the evaluation error is thrown', () => {
    const m = createMatcher();
    const ext = 'https://medplum.com/fhir/StructureDefinition/fhir-path-criteria-expression';
    m.putSubscription(
      'bad',
      r4Subscription('bad', 'Observation', { extension: [{ url: ext, valueString: '%current.id + 1' }] }),
    );
    expect(() => m.match(change('create', obs))).toThrow(/evaluating/);
  });
});
