import { describe, expect, it } from 'vitest';
import { EXT, outputTopicFor } from '../../processors/index.js';
import { classicSubscription, formatSubscription, harness, match } from './support.js';

const ext = (url: string, value: string | boolean) =>
  typeof value === 'boolean' ? { url, valueBoolean: value } : { url, valueString: value };

describe('Smile delivery extensions and routing', () => {
  it('strips version ids', async () => {
    const { processor } = harness();
    const sub = classicSubscription('application/fhir+json', [ext(EXT.hapiStripVersionIds, true)]);
    const [n] = await processor.process(match(sub), sub);
    expect(JSON.parse(n!.body!).meta).toEqual({
      lastUpdated: '2026-01-01T10:00:00Z',
      profile: ['http://ehealth.example/StructureDefinition/ehealth-encounter'],
    });
  });

  it('deliver-latest-version: a collapse key per resource', async () => {
    const { processor } = harness();
    const sub = classicSubscription('application/fhir+json', [ext(EXT.hapiDeliverLatestVersion, true)]);
    const [n] = await processor.process(match(sub), sub);
    expect(n!.collapseKey).toBe('Encounter/enc-1');
  });

  it('replication: prefixes ids and references matching the selector, strips base URLs', async () => {
    const { processor } = harness();
    const sub = classicSubscription('application/fhir+json', [
      ext(EXT.smileReplicateMode, true),
      ext(EXT.smileReplicateIdPrefix, 'CDR1-'),
      ext(EXT.smileReplicateIdPrefixSelector, '[a-zA-Z]+/[a-z0-9-]+'),
      ext(EXT.smileReplicateStripBaseUrl, 'https://fhir.example.org/r4/'),
    ]);
    const resource = {
      ...match(sub).resource!,
      subject: { reference: 'https://fhir.example.org/r4/Patient/p1' },
      basedOn: [{ reference: 'ServiceRequest/ABC' }],
    };
    const [n] = await processor.process(match(sub, { resource }), sub);
    expect(n!.path).toBe('/Encounter/CDR1-enc-1');
    const b = JSON.parse(n!.body!);
    expect(b.id).toBe('CDR1-enc-1');
    expect(b.subject.reference).toBe('Patient/CDR1-p1');
    expect(b.participant[0].individual.reference).toBe('Practitioner/CDR1-dr-b');
    // Upper-case ids do not match the selector: left as they are.
    expect(b.basedOn[0].reference).toBe('ServiceRequest/ABC');
  });

  it('replication: strips an id prefix', async () => {
    const { processor } = harness();
    const sub = classicSubscription('application/fhir+json', [
      ext(EXT.smileReplicateMode, true),
      ext(EXT.smileReplicateStripIdPrefix, 'enc-'),
    ]);
    const [n] = await processor.process(match(sub), sub);
    expect(n!.path).toBe('/Encounter/1');
  });

  it('routes by channel type; a named channel goes to the Kafka output with its topic', async () => {
    const { processor } = harness();
    const rest = classicSubscription('application/fhir+json');
    const message = classicSubscription('application/fhir+json', [], 'message');
    const named = classicSubscription('application/fhir+json', [ext(EXT.smileNamedChannel, 'MyQueueName')]);
    const topics = [];
    for (const sub of [rest, message, named]) {
      const [n] = await processor.process(match(sub, { subscriptionId: sub.id }), {
        ...sub,
        id: `${sub.id}-${sub.channel.type}-${topics.length}`,
      });
      topics.push([outputTopicFor(n!), n!.channel.endpoint]);
    }
    expect(topics).toEqual([
      ['fhir.notifications.rest-hook', 'https://client.example.org/fhir'],
      ['fhir.notifications.message', 'amqp://broker.example.org/encounters'],
      ['fhir.notifications.kafka', 'MyQueueName'],
    ]);
  });

  it('names a Kafka-safe topic when a payload names its destination on a Kafka channel', async () => {
    const { processor } = harness();
    const sub = formatSubscription('ehealth-simple', 'kafka');
    const [n] = await processor.process(match(sub), sub);
    expect(n!.destination).toBe('ehealth.example_StructureDefinition_ehealth-encounter');
  });

  it('puts a subscription on an undelivered channel type in error, with a reason', async () => {
    const { processor } = harness();
    const sub = classicSubscription('application/fhir+json', [], 'websocket');
    expect(await processor.process(match(sub), sub)).toEqual([]);
    const record = await processor.statusOf(sub.id);
    expect(record).toMatchObject({
      status: 'error',
      errors: [{ message: "channel type 'websocket' is not delivered by this server" }],
    });
  });
});
