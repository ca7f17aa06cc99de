import { describe, expect, it } from 'vitest';
import { EXT } from '../../processors/index.js';
import { classicSubscription, expectGolden, harness, match, readable } from './support.js';

describe('classic R4 rest-hook', () => {
  it('PUTs the resource to [endpoint]/[type]/[id] when the channel has a payload, without handshake', async () => {
    const { processor } = harness();
    const sub = classicSubscription('application/fhir+json');
    const out = await processor.process(match(sub), sub);
    expect(out).toHaveLength(1);
    const [n] = out;
    expect(n).toMatchObject({
      type: 'event-notification',
      method: 'PUT',
      path: '/Encounter/enc-1',
      contentType: 'application/fhir+json',
    });
    expect(JSON.parse(n!.body!)).toEqual(match(sub).resource);
    expect(n!.channel.headers).toEqual(['Authorization: Bearer secret', 'X-Site: north']);
    expectGolden('r4-classic-put', readable(n!));
  });

  it('POSTs nothing when the channel has no payload', async () => {
    const { processor } = harness();
    const sub = classicSubscription(undefined);
    const [n] = await processor.process(match(sub), sub);
    expect(n).toMatchObject({ method: 'POST', body: null, contentType: null });
    expect(n!.path).toBeUndefined();
    expectGolden('r4-classic-empty', readable(n!));
  });

  it('DELETEs at [endpoint]/[type]/[id] for a delete (send-delete-messages)', async () => {
    const { processor } = harness();
    const sub = classicSubscription('application/fhir+json', [
      { url: EXT.hapiSendDeleteMessages, valueBoolean: true },
    ]);
    const [n] = await processor.process(match(sub, { interaction: 'delete' }), sub);
    expect(n).toMatchObject({ method: 'DELETE', path: '/Encounter/enc-1', body: null });
    expectGolden('r4-classic-delete', readable(n!));
  });

  it('reads an absolute focus reference and answers an XML payload type with FHIR JSON', async () => {
    const { processor } = harness();
    const sub = classicSubscription('application/fhir+xml');
    const focus = { reference: 'https://fhir.example.org/r4/Encounter/enc-1/_history/3', versionId: '3' };
    const [n] = await processor.process(match(sub, { focus }), sub);
    expect(n).toMatchObject({
      method: 'PUT',
      path: '/Encounter/enc-1',
      contentType: 'application/fhir+json',
    });
  });
});
