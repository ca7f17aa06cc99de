import { describe, expect, it } from 'vitest';
import { createMatcher, type FhirResource } from '../../processors/index.js';
import { change, NOW, r5Subscription } from './helpers.js';

const URL = 'http://example.org/topic/t';

function topic(trigger: Record<string, unknown>): FhirResource {
  return {
    resourceType: 'SubscriptionTopic',
    url: URL,
    status: 'active',
    resourceTrigger: [{ resource: 'http://hl7.org/fhir/StructureDefinition/Encounter', ...trigger }],
  };
}

const enc = (status: string): FhirResource => ({
  resourceType: 'Encounter',
  id: 'e1',
  status,
  class: { code: 'AMB' },
  subject: { reference: 'Patient/1' },
});

function fires(
  trigger: Record<string, unknown>,
  interaction: 'create' | 'update' | 'delete',
  current?: string,
  previous?: string,
): boolean {
  const m = createMatcher({ now: () => NOW });
  expect(m.putTopic(URL, topic(trigger)).error).toBeUndefined();
  expect(m.putSubscription('s', r5Subscription('s', URL)).status).toBe('compiled');
  const vc =
    interaction === 'delete'
      ? change('delete', enc(previous!), enc(previous!))
      : change(interaction, enc(current!), previous ? enc(previous) : undefined);
  return m.match(vc).length === 1;
}

const toInProgress = {
  queryCriteria: {
    previous: 'status:not=in-progress',
    current: 'status=in-progress',
    requireBoth: true,
    resultForCreate: 'test-passes',
  },
};

describe('R5 resourceTrigger (SubscriptionTopic.resourceTrigger)', () => {
  it.each([
    ['no criteria: every interaction fires', {}, 'update', 'planned', 'planned', true],
    [
      'supportedInteraction limits interactions (update not listed)',
      { supportedInteraction: ['create'] },
      'update',
      'planned',
      'planned',
      false,
    ],
    [
      'supportedInteraction allows a listed interaction',
      { supportedInteraction: ['create'] },
      'create',
      'planned',
      undefined,
      true,
    ],
    [
      'delete fires when supported',
      { supportedInteraction: ['delete'] },
      'delete',
      undefined,
      'finished',
      true,
    ],
    [
      'requireBoth: previous and current must both hold',
      toInProgress,
      'update',
      'in-progress',
      'planned',
      true,
    ],
    [
      'requireBoth: a change that stays in-progress does not fire',
      toInProgress,
      'update',
      'in-progress',
      'in-progress',
      false,
    ],
    [
      'resultForCreate test-passes stands in for the previous test on create',
      toInProgress,
      'create',
      'in-progress',
      undefined,
      true,
    ],
    [
      'resultForCreate test-fails fails the previous test on create',
      { queryCriteria: { ...toInProgress.queryCriteria, resultForCreate: 'test-fails' } },
      'create',
      'in-progress',
      undefined,
      false,
    ],
    [
      'without requireBoth either test is enough',
      { queryCriteria: { previous: 'status=planned', current: 'status=finished', requireBoth: false } },
      'update',
      'in-progress',
      'planned',
      true,
    ],
    [
      'without requireBoth none passing does not fire',
      { queryCriteria: { previous: 'status=planned', current: 'status=finished' } },
      'update',
      'in-progress',
      'arrived',
      false,
    ],
    [
      'current only',
      { queryCriteria: { current: 'status=finished' } },
      'update',
      'finished',
      'in-progress',
      true,
    ],
    [
      'previous only',
      { queryCriteria: { previous: 'status=planned' } },
      'update',
      'finished',
      'planned',
      true,
    ],
    [
      'resultForDelete test-passes stands in for the current test on delete',
      { queryCriteria: { current: 'status=finished', resultForDelete: 'test-passes' } },
      'delete',
      undefined,
      'in-progress',
      true,
    ],
    [
      'resultForDelete test-fails fails the current test on delete',
      { queryCriteria: { current: 'status=finished', resultForDelete: 'test-fails' } },
      'delete',
      undefined,
      'finished',
      false,
    ],
    [
      'on delete the previous test reads the deleted version',
      { queryCriteria: { previous: 'status=finished' } },
      'delete',
      undefined,
      'finished',
      true,
    ],
    [
      'fhirPathCriteria with %previous and %current',
      { fhirPathCriteria: "%previous.status = 'planned' and %current.status = 'arrived'" },
      'update',
      'arrived',
      'planned',
      true,
    ],
    [
      'fhirPathCriteria false does not fire',
      { fhirPathCriteria: "%current.status = 'finished'" },
      'update',
      'arrived',
      'planned',
      false,
    ],
    [
      'fhirPathCriteria on create sees an empty %previous',
      { fhirPathCriteria: '%previous.exists().not()' },
      'create',
      'arrived',
      undefined,
      true,
    ],
    [
      'queryCriteria and fhirPathCriteria both must hold',
      { queryCriteria: { current: 'status=arrived' }, fhirPathCriteria: "%previous.status = 'finished'" },
      'update',
      'arrived',
      'planned',
      false,
    ],
  ] as const)('%s', (_rule, trigger, interaction, current, previous, expected) => {
    expect(fires(trigger as Record<string, unknown>, interaction, current, previous)).toBe(expected);
  });

  it('a change to another resource type does not fire', () => {
    const m = createMatcher();
    m.putTopic(URL, topic({}));
    m.putSubscription('s', r5Subscription('s', URL));
    expect(m.match(change('create', { resourceType: 'Patient', id: 'p' }))).toEqual([]);
  });

  it('query criteria that cannot be compiled refuse the subscriptions of the topic', () => {
    const m = createMatcher();
    m.putTopic(URL, topic({ queryCriteria: { current: 'colour=blue' } }));
    const outcome = m.putSubscription('s', r5Subscription('s', URL));
    expect(outcome.status).toBe('error');
    expect(outcome.status === 'error' && outcome.error.message).toContain("'colour'");
  });
});
