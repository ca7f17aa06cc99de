import { describe, expect, it } from 'vitest';
import { CompileError } from '../../state/index.js';
import { EXT, normalizeSubscription } from '../../processors/index.js';

describe('normalizeSubscription', () => {
  it('reads an R4 classic rest-hook: a payload means the resource is sent', () => {
    const s = normalizeSubscription({
      resourceType: 'Subscription',
      id: 'a',
      status: 'active',
      criteria: 'Observation?code=http://loinc.org|1234-5',
      channel: {
        type: 'rest-hook',
        endpoint: 'https://x.test/hook',
        payload: 'application/fhir+json',
        header: ['Authorization: Bearer a:b'],
      },
    });
    expect(s.flavor).toBe('r4-classic');
    expect(s.criteria).toBe('Observation?code=http://loinc.org|1234-5');
    expect(s.content).toBe('full-resource');
    expect(s.channel.headers).toEqual(['Authorization: Bearer a:b']);
  });

  it('reads an R4 backport subscription: topic canonical, filter criteria, heartbeat and content', () => {
    const s = normalizeSubscription({
      resourceType: 'Subscription',
      id: 'b',
      status: 'requested',
      criteria: 'http://example.org/topic/encounter-start',
      _criteria: {
        extension: [{ url: EXT.backportFilterCriteria, valueString: 'Encounter?patient=Patient/1' }],
      },
      channel: {
        type: 'rest-hook',
        endpoint: 'https://x.test/hook',
        payload: 'application/fhir+json',
        _payload: { extension: [{ url: EXT.backportPayloadContent, valueCode: 'id-only' }] },
        extension: [
          { url: EXT.backportHeartbeatPeriod, valueUnsignedInt: 60 },
          { url: EXT.backportMaxCount, valuePositiveInt: 20 },
        ],
      },
    });
    expect(s.flavor).toBe('backport');
    expect(s.topicUrl).toBe('http://example.org/topic/encounter-start');
    expect(s.filterCriteria).toEqual(['Encounter?patient=Patient/1']);
    expect(s.content).toBe('id-only');
    expect(s.heartbeatPeriodSeconds).toBe(60);
    expect(s.maxCount).toBe(20);
  });

  it('reads an R5 subscription: filterBy, parameters as headers', () => {
    const s = normalizeSubscription({
      resourceType: 'Subscription',
      id: 'c',
      status: 'active',
      topic: 'http://example.org/topic/x',
      filterBy: [{ resourceType: 'Encounter', filterParameter: 'patient', value: 'Patient/1' }],
      channelType: {
        system: 'http://terminology.hl7.org/CodeSystem/subscription-channel-type',
        code: 'rest-hook',
      },
      endpoint: 'https://x.test/hook',
      parameter: [{ name: 'Authorization', value: 'Bearer t' }],
      content: 'full-resource',
      contentType: 'application/fhir+json',
    });
    expect(s.flavor).toBe('r5-topic');
    expect(s.filterBy).toEqual([
      { resourceType: 'Encounter', filterParameter: 'patient', value: 'Patient/1' },
    ]);
    expect(s.channel.headers).toEqual(['Authorization: Bearer t']);
  });

  it('refuses a subscription without criteria, naming the element', () => {
    expect(() =>
      normalizeSubscription({ resourceType: 'Subscription', id: 'd', channel: { type: 'rest-hook' } }),
    ).toThrowError(CompileError);
    expect(() =>
      normalizeSubscription({ resourceType: 'Subscription', id: 'd', channel: { type: 'rest-hook' } }),
    ).toThrowError(/Subscription.criteria/);
  });
});
