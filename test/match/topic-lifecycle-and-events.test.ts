import { describe, expect, it } from 'vitest';
import { createMatcher, type FhirResource } from '../../processors/index.js';
import { change, r5Subscription } from './helpers.js';

const URL = 'http://example.org/topic/admission';

const eventTopic: FhirResource = {
  resourceType: 'SubscriptionTopic',
  url: URL,
  status: 'active',
  eventTrigger: [
    {
      event: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0003', code: 'A01' }] },
      resource: 'http://hl7.org/fhir/StructureDefinition/Encounter',
    },
  ],
  canFilterBy: [{ resource: 'Encounter', filterParameter: 'patient' }],
};

const encounter: FhirResource = {
  resourceType: 'Encounter',
  id: 'e',
  status: 'in-progress',
  subject: { reference: 'Patient/1' },
};

describe('eventTrigger: events dispatched by name (R5 SubscriptionTopic.eventTrigger)', () => {
  it('an event of the topic reaches its subscriptions whose filters accept the focus', () => {
    const m = createMatcher();
    m.putTopic(URL, eventTopic);
    m.putSubscription(
      'mine',
      r5Subscription('mine', URL, [{ filterParameter: 'patient', value: 'Patient/1' }]),
    );
    m.putSubscription(
      'other',
      r5Subscription('other', URL, [{ filterParameter: 'patient', value: 'Patient/2' }]),
    );
    const matches = m.dispatchEvent({
      event: 'http://terminology.hl7.org/CodeSystem/v2-0003|A01',
      resource: encounter,
    });
    expect(matches.map((x) => [x.subscriptionId, x.topicUrl, x.focus.reference])).toEqual([
      ['mine', URL, 'Encounter/e'],
    ]);
  });

  it('the code alone names the event too; another event does not match', () => {
    const m = createMatcher();
    m.putTopic(URL, eventTopic);
    m.putSubscription('s', r5Subscription('s', URL));
    expect(m.dispatchEvent({ event: 'A01', resource: encounter })).toHaveLength(1);
    expect(m.dispatchEvent({ event: 'A03', resource: encounter })).toHaveLength(0);
  });

  it('an event topic is not fired by resource changes', () => {
    const m = createMatcher();
    m.putTopic(URL, eventTopic);
    m.putSubscription('s', r5Subscription('s', URL));
    expect(m.match(change('update', encounter, encounter))).toEqual([]);
  });
});

describe('topic lifecycle: subscriptions depending on a topic recompile when it changes', () => {
  const resourceTopic = (status: string): FhirResource => ({
    resourceType: 'SubscriptionTopic',
    url: URL,
    status: 'active',
    resourceTrigger: [{ resource: 'Encounter', queryCriteria: { current: `status=${status}` } }],
  });

  it('a subscription waits for its topic, then compiles when the topic arrives', () => {
    const m = createMatcher();
    expect(m.putSubscription('s', r5Subscription('s', URL))).toEqual({
      subscriptionId: 's',
      status: 'waiting-for-topic',
      topicUrl: URL,
    });
    expect(m.match(change('update', encounter, encounter))).toEqual([]);
    const outcome = m.putTopic(URL, resourceTopic('in-progress'));
    expect(outcome.subscriptions).toEqual([{ subscriptionId: 's', status: 'compiled' }]);
    expect(m.match(change('update', encounter, encounter))).toHaveLength(1);
  });

  it('a changed topic changes what its subscriptions match', () => {
    const m = createMatcher();
    m.putTopic(URL, resourceTopic('in-progress'));
    m.putSubscription('s', r5Subscription('s', URL));
    m.putTopic(URL, resourceTopic('finished'));
    expect(m.match(change('update', encounter, encounter))).toEqual([]);
  });

  it('a deleted topic sends its subscriptions back to waiting', () => {
    const m = createMatcher();
    m.putTopic(URL, resourceTopic('in-progress'));
    m.putSubscription('s', r5Subscription('s', URL));
    expect(m.deleteTopic(URL).subscriptions).toEqual([
      { subscriptionId: 's', status: 'waiting-for-topic', topicUrl: URL },
    ]);
    expect(m.match(change('update', encounter, encounter))).toEqual([]);
  });

  it('a topic that cannot be read is reported and its subscriptions are refused', () => {
    const m = createMatcher();
    m.putSubscription('s', r5Subscription('s', URL));
    const outcome = m.putTopic(URL, { resourceType: 'SubscriptionTopic', url: URL, status: 'active' });
    expect(outcome.error?.message).toContain('neither resourceTrigger nor eventTrigger');
    expect(outcome.subscriptions[0]?.status).toBe('error');
  });

  it('a trigger on something that is not a resource type of the version is refused', () => {
    const m = createMatcher();
    const profiled = {
      ...resourceTopic('x'),
      resourceTrigger: [{ resource: 'http://example.org/StructureDefinition/my-encounter' }],
    };
    expect(m.putTopic(URL, profiled, { fhirVersion: 'R5' }).error?.message).toContain(
      'is not a R5 resource type',
    );
  });

  it('a topic is checked against its own version when told which', () => {
    const m = createMatcher();
    const bad = {
      ...resourceTopic('x'),
      resourceTrigger: [{ resource: 'Encounter', queryCriteria: { current: 'colour=x' } }],
    };
    expect(m.putTopic(URL, bad, { fhirVersion: 'R5' }).error).toBeDefined();
  });
});
