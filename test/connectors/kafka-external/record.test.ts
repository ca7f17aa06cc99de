import { describe, expect, it } from 'vitest';
import { externalTopic, kafkaRecordOf } from '../../../connectors/index.js';
import { notification } from '../../fixtures/notifications.js';

describe('Kafka named-channel record', () => {
  const n = notification('s1', 9, {
    channel: { type: 'kafka', endpoint: 'MyQueueName', headers: ['X-Tenant: a:b'] },
    properties: { 'resource-type': 'Patient', tags: ['system-1|code-1', 'system-2|code-2'] },
    collapseKey: 'Patient/1',
  });

  it('keeps list-valued custom headers as lists, which the client writes as one header each', () => {
    const record = kafkaRecordOf(n, 'subscription');
    expect(record.key).toBe('s1');
    expect(record.value).toBe(n.body);
    expect(record.headers).toEqual({
      'x-tenant': 'a:b',
      'resource-type': 'Patient',
      tags: ['system-1|code-1', 'system-2|code-2'],
      'content-type': 'application/fhir+json',
      'x-substream-notification-id': 's1-9',
      'x-substream-subscription-id': 's1',
      'x-substream-event-number': '9',
    });
  });

  it('keys by focus when configured', () => {
    expect(kafkaRecordOf(n, 'focus').key).toBe('Patient/1');
  });

  it("keys a tenant's subscription after its tenant, and names the tenant in a header", () => {
    const t = notification('s1', 9, { channel: n.channel, tenant: 'north east' });
    const record = kafkaRecordOf(t, 'subscription');
    expect(record.key).toBe('north%20east/s1');
    expect(record.headers).toMatchObject({
      'x-substream-subscription-id': 's1',
      'x-substream-tenant': 'north east',
    });
    expect(kafkaRecordOf({ ...t, collapseKey: undefined }, 'focus').key).toBe('north%20east/s1');
  });

  it('takes the topic from the endpoint and refuses invalid names', () => {
    expect(externalTopic(n)).toBe('MyQueueName');
    for (const endpoint of ['', 'has space', '..', 'a/b']) {
      expect(() =>
        externalTopic(notification('s', 1, { channel: { type: 'kafka', endpoint, headers: [] } })),
      ).toThrow();
    }
  });
});
