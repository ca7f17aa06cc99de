import { describe, expect, it } from 'vitest';
import { body, expectGolden, formatSubscription, harness, match, readable } from './support.js';

describe('vendor message shapes', () => {
  it('Smile ResourceModifiedMessage: JSON-string payload, payloadId with version, custom headers', async () => {
    const { processor } = harness();
    const sub = formatSubscription('smile-resource-modified', 'kafka');
    const [n] = await processor.process(match(sub), sub);
    const b = body(n) as {
      headers: { customHeaders: Record<string, unknown> };
      payload: Record<string, unknown>;
    };
    expect(b.payload).toMatchObject({
      operationType: 'UPDATE',
      payloadId: 'Encounter/enc-1/_history/3',
      partitionId: { allPartitions: true },
    });
    expect(JSON.parse(b.payload.payload as string)).toMatchObject({ resourceType: 'Encounter', id: 'enc-1' });
    // On a Kafka channel the subscription's header lines become record headers too.
    expect(b.headers.customHeaders).toMatchObject({ resourceType: 'Encounter', 'X-Site': 'north' });
    expect(n!.properties).toEqual(b.headers.customHeaders);
    expectGolden('smile-resource-modified', readable(n!));
  });

  it('Firely ResourcesChangedEvent in its MassTransit envelope', async () => {
    const { processor } = harness();
    const sub = formatSubscription('firely-resources-changed');
    const [n] = await processor.process(match(sub), sub);
    const b = body(n) as {
      messageType: string[];
      message: { changes: { reference: unknown; resource: string; changeType: string }[] };
    };
    expect(b.messageType).toEqual(['urn:message:Firely.Server.Contracts.Messages.V1:ResourcesChangedEvent']);
    expect(b.message.changes[0]).toMatchObject({
      reference: { resourceType: 'Encounter', resourceId: 'enc-1', version: '3' },
      changeType: 'update',
    });
    expect(JSON.parse(b.message.changes[0]!.resource)).toMatchObject({ status: 'in-progress' });
    expectGolden('firely-resources-changed', readable(n!));
  });

  it('Firely ResourcesChangedLightEvent when the subscription asks for no body', async () => {
    const { processor } = harness();
    const sub = formatSubscription('firely-resources-changed', 'message', null);
    const [n] = await processor.process(match(sub), sub);
    const b = body(n) as { messageType: string[]; message: { changes: Record<string, unknown>[] } };
    expect(b.messageType).toEqual([
      'urn:message:Firely.Server.Contracts.Messages.V1:ResourcesChangedLightEvent',
    ]);
    expect(b.message.changes[0]!.resource).toBeUndefined();
    expectGolden('firely-resources-changed-light', readable(n!));
  });

  it('eHealth simple event: topic named by profile, selector properties', async () => {
    const { processor } = harness();
    const sub = formatSubscription('ehealth-simple');
    const [n] = await processor.process(match(sub), sub);
    expect(body(n)).toEqual({
      messageType: 'EHealthSimpleEvent',
      messageVersion: '1.0',
      eventType: 'updated',
      resourceReference: 'https://fhir.example.org/r4/Encounter/enc-1',
      resourceVersion: '3',
    });
    expect(n!.destination).toBe('http://ehealth.example/StructureDefinition/ehealth-encounter');
    expect(n!.properties).toMatchObject({
      messageType: 'EHealthSimpleEvent',
      patientReference: 'https://fhir.example.org/r4/Patient/p1',
      resourceProfile: 'http://ehealth.example/StructureDefinition/ehealth-encounter',
    });
    expectGolden('ehealth-simple', readable(n!));
  });

  it('eHealth context event: one message per changed element, topic [profile].[element]', async () => {
    const { processor } = harness();
    const sub = formatSubscription('ehealth-context');
    const out = await processor.process(match(sub), sub);
    expect(out.map((n) => n.destination)).toEqual([
      'http://ehealth.example/StructureDefinition/ehealth-encounter.participant',
      'http://ehealth.example/StructureDefinition/ehealth-encounter.status',
    ]);
    expect(new Set(out.map((n) => n.notificationId)).size).toBe(2);
    expect(out.every((n) => n.eventNumber === 1)).toBe(true);
    expect(body(out[1])).toMatchObject({
      messageType: 'EHealthContextEvent',
      context: 'status',
      status: 'in-progress',
    });
    expectGolden('ehealth-context', out.map(readable));
  });

  it('eHealth reference event: references added and removed, from previous and current', async () => {
    const { processor } = harness();
    const sub = formatSubscription('ehealth-reference');
    const out = await processor.process(match(sub), sub);
    expect(out.map((n) => body(n))).toEqual([
      expect.objectContaining({
        eventType: 'reference_added',
        resourceElement: 'participant',
        references: ['https://fhir.example.org/r4/Practitioner/dr-b'],
      }),
      expect.objectContaining({
        eventType: 'reference_removed',
        resourceElement: 'participant',
        references: ['https://fhir.example.org/r4/Practitioner/dr-a'],
      }),
    ]);
    expect(out[0]!.destination).toBe(
      'http://ehealth.example/StructureDefinition/ehealth-encounter.participant',
    );
    expectGolden('ehealth-reference', out.map(readable));
  });
});
