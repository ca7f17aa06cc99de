import { describe, expect, it } from 'vitest';
import { InvalidAmqpEndpointError, parseAmqpEndpoint, publishOptions } from '../../../connectors/index.js';
import { notification } from '../../fixtures/notifications.js';

const broker = 'amqp://guest:guest@127.0.0.1:5672';

describe('AMQP endpoints', () => {
  it('resolves channel:queue against the configured broker', () => {
    expect(parseAmqpEndpoint('channel:fhir-events', broker)).toEqual({
      connectionUrl: broker,
      exchange: '',
      routingKey: 'fhir-events',
      queue: 'fhir-events',
    });
  });

  it('reads exchange and routing key from an amqp(s) URL, keeping host, port, vhost and credentials', () => {
    expect(
      parseAmqpEndpoint(
        'amqps://u:p@mq.example:5671/clinic?exchange=fhir&routingKey=Patient.created',
        broker,
      ),
    ).toEqual({
      connectionUrl: 'amqps://u:p@mq.example:5671/clinic',
      exchange: 'fhir',
      routingKey: 'Patient.created',
    });
    expect(parseAmqpEndpoint('amqp://mq.example/?queue=q1', broker)).toMatchObject({
      exchange: '',
      routingKey: 'q1',
      queue: 'q1',
    });
  });

  it('refuses endpoints it cannot publish to', () => {
    for (const endpoint of [undefined, '', 'channel:', 'http://x/y', 'amqp://mq.example/vh', 'not a url']) {
      expect(() => parseAmqpEndpoint(endpoint, broker), String(endpoint)).toThrow(InvalidAmqpEndpointError);
    }
  });
});

describe('AMQP message properties', () => {
  it('carries content type, message id, header lines split at the first colon, and transport properties', () => {
    const n = notification('s1', 5, {
      channel: { type: 'message', endpoint: 'channel:q', headers: ['Authorization: Basic a:b'] },
      properties: {
        resourceProfile: 'http://ehealth.sundhed.dk/fhir/StructureDefinition/ehealth-careplan',
        tags: ['a|1', 'b|2'],
      },
    });
    const options = publishOptions(n, { persistent: true, mandatory: true, now: 1_767_225_600_000 });
    expect(options).toMatchObject({
      contentType: 'application/fhir+json',
      messageId: 's1-5',
      timestamp: 1_767_225_600,
      type: 'event-notification',
      persistent: true,
      mandatory: true,
      headers: {
        authorization: 'Basic a:b',
        resourceProfile: 'http://ehealth.sundhed.dk/fhir/StructureDefinition/ehealth-careplan',
        tags: ['a|1', 'b|2'],
        'x-substream-subscription-id': 's1',
        'x-substream-event-number': 5,
      },
    });
    expect(options.headers).not.toHaveProperty('x-substream-tenant');
    const tenants = publishOptions(notification('s1', 5, { tenant: 'north' }), {
      persistent: true,
      mandatory: true,
      now: 0,
    });
    expect(tenants.headers).toMatchObject({
      'x-substream-subscription-id': 's1',
      'x-substream-tenant': 'north',
    });
  });
});
