import { describe, expect, it } from 'vitest';
import { decodeChangeRecord } from '../../processors/index.js';
import { fixture, record } from './helpers.js';

describe('decodeChangeRecord reads every input format', () => {
  it('reads a canonical ChangeEvent and keeps its fields', async () => {
    const [d] = await decodeChangeRecord(record(fixture('canonical.json'), { key: 'Encounter/enc-1' }));
    expect(d!.format).toBe('canonical');
    expect(d!.key).toBe('Encounter/enc-1');
    expect(d!.repartition).toBe(false);
    expect(d!.change).toMatchObject({
      interaction: 'update',
      resourceType: 'Encounter',
      id: 'enc-1',
      versionId: '3',
    });
    expect(d!.change.occurredAt).toBe('2026-01-01T10:00:00Z');
  });

  it('splits a Firely ResourcesChangedEvent batch in its MassTransit envelope, one change per resource', async () => {
    const out = await decodeChangeRecord(record(fixture('firely-envelope.json')));
    expect(out.map((d) => d.key)).toEqual(['Patient/example-id', 'Observation/obs-1']);
    expect(out.every((d) => d.format === 'firely' && d.repartition && !d.bodyless)).toBe(true);
    expect(out[0]!.change.versionId).toBe('59f47104-395a-4883-9689-259651939ca2');
    expect(out[0]!.change.occurredAt).toBe('2023-10-26T15:39:44.319+00:00');
    expect(out[1]!.change.resource).toMatchObject({ status: 'final' });
    expect(out[1]!.change.interaction).toBe('update');
  });

  it('reads a bare Firely light event as a bodyless change', async () => {
    const [d] = await decodeChangeRecord(record(fixture('firely-light-bare.json')));
    expect(d!.bodyless).toBe(true);
    expect(d!.change.resource).toBeUndefined();
    expect(d!.change).toMatchObject({
      interaction: 'create',
      resourceType: 'Patient',
      id: 'fsiTestingPatient',
    });
  });

  it('reads a Smile ResourceModifiedMessage: JSON-string payload, payloadId with version', async () => {
    const [d] = await decodeChangeRecord(record(fixture('smile-message.json'), { key: 'Patient/1354' }));
    expect(d!.format).toBe('smile');
    expect(d!.change).toMatchObject({
      interaction: 'create',
      resourceType: 'Patient',
      id: '1354',
      versionId: '1',
    });
    expect(d!.change.resource?.meta?.lastUpdated).toBe('2022-07-19T17:27:56.198-07:00');
    expect(d!.repartition).toBe(false);
  });

  it('reads a Smile delete without payload from its payloadId, and a partition as the tenant', async () => {
    const msg = {
      payload: {
        operationType: 'DELETE',
        payloadId: 'http://cdr.test/fhir/Observation/9/_history/4',
        partitionId: { allPartitions: false, partitionNames: ['clinic-a'] },
      },
    };
    const [d] = await decodeChangeRecord(record(msg));
    expect(d!.change).toEqual({
      interaction: 'delete',
      resourceType: 'Observation',
      id: '9',
      versionId: '4',
      tenant: 'clinic-a',
    });
    expect(d!.key).toBe('clinic-a/Observation/9');
  });

  it('uses the topic format from configuration instead of detection', async () => {
    const opts = { topicFormats: { smile: 'canonical' as const } };
    await expect(
      decodeChangeRecord(record(fixture('smile-message.json'), { topic: 'smile' }), opts),
    ).rejects.toMatchObject({
      reason: 'unknown-format',
    });
    const [d] = await decodeChangeRecord(record(fixture('canonical.json'), { topic: 'smile' }), opts);
    expect(d!.format).toBe('canonical');
  });

  it('reads a null value under a canonical key as a delete (a Kafka tombstone)', async () => {
    const [d] = await decodeChangeRecord(record(null, { key: 'Patient/7' }));
    expect(d!.change).toEqual({ interaction: 'delete', resourceType: 'Patient', id: '7' });
    expect(d!.repartition).toBe(false);
  });
});
