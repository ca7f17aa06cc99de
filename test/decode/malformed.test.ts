import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../state/index.js';
import { ChangeDecodeError, decodeChangeRecord, type DecodeReason } from '../../processors/index.js';
import { record } from './helpers.js';

const patient = { resourceType: 'Patient', id: 'p1', meta: { versionId: '2' } };

const cases: [string, unknown, DecodeReason, Parameters<typeof record>[1]?][] = [
  ['an empty value', '', 'empty-value'],
  ['a null value without a resource key', null, 'empty-value'],
  ['text that is not JSON', '{"interaction": ', 'not-json'],
  ['JSON of no known format', { hello: 'world' }, 'unknown-format'],
  [
    'a resource string that is not JSON',
    { interaction: 'create', resourceType: 'Patient', id: 'p1', resource: '{oops' },
    'not-json',
  ],
  ['a resource that is an array', { interaction: 'create', resource: [1] }, 'invalid-resource'],
  [
    'a resource without resourceType',
    { interaction: 'create', id: 'p1', resource: { id: 'p1' } },
    'invalid-resource',
  ],
  ['no resourceType at all', { interaction: 'delete', id: 'p1', resourceType: '' }, 'missing-resource-type'],
  [
    'a resourceType that is not a FHIR type',
    { interaction: 'delete', resourceType: 'patient', id: 'p1' },
    'invalid-resource-type',
  ],
  ['no id', { interaction: 'delete', resourceType: 'Patient' }, 'missing-id'],
  [
    'an id with characters FHIR forbids',
    { interaction: 'delete', resourceType: 'Patient', id: 'a b' },
    'invalid-id',
  ],
  [
    'a body of another resource',
    { interaction: 'update', resourceType: 'Patient', id: 'p2', resource: patient },
    'resource-mismatch',
  ],
  [
    'a previous of another type',
    { interaction: 'update', resource: patient, previous: { resourceType: 'Group', id: 'p1' } },
    'resource-mismatch',
  ],
  ['an unknown interaction', { interaction: 'patch', resource: patient }, 'unknown-interaction'],
  [
    'a create without its resource',
    { interaction: 'create', resourceType: 'Patient', id: 'p1' },
    'missing-resource',
  ],
  [
    'a versionId that is an object',
    { interaction: 'update', resource: patient, versionId: { v: 1 } },
    'invalid-version',
  ],
  [
    'a versionId disagreeing with meta.versionId',
    { interaction: 'update', resource: patient, versionId: '3' },
    'version-mismatch',
  ],
  [
    'an occurredAt that is not a date',
    { interaction: 'update', resource: patient, occurredAt: 'yesterday' },
    'invalid-timestamp',
  ],
  [
    'a tenant that is not a string',
    { interaction: 'update', resource: patient, tenant: 7 },
    'invalid-tenant',
  ],
  [
    'a Firely event with no changes',
    { changes: [], messageType: ['urn:message:Firely.Server.Contracts.Messages.V1:ResourcesChangedEvent'] },
    'empty-batch',
  ],
  [
    'a Smile payloadId that names no resource',
    { payload: { operationType: 'DELETE', payloadId: 'nonsense' } },
    'missing-id',
  ],
  [
    'a key naming another resource',
    { interaction: 'update', resource: patient },
    'key-mismatch',
    { key: 'Patient/p9' },
  ],
  [
    'a key naming another tenant',
    { interaction: 'update', resource: patient, tenant: 'a' },
    'key-mismatch',
    { key: 'b/Patient/p1' },
  ],
  ['a framed value without a registry', Buffer.from([0, 0, 0, 0, 1, 2]), 'schema-registry'],
];

describe('decodeChangeRecord rejects malformed records with a reason', () => {
  it.each(cases)('%s', async (_name, value, reason, extra) => {
    const rec = Buffer.isBuffer(value) ? { ...record(''), value } : record(value, extra);
    const err = await decodeChangeRecord(rec).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ChangeDecodeError);
    expect(err).toBeInstanceOf(DecodeError);
    expect((err as ChangeDecodeError).reason).toBe(reason);
    expect((err as ChangeDecodeError).retriable).toBe(false);
    expect((err as ChangeDecodeError).message.length).toBeGreaterThan(10);
  });

  it('rejects a value over the size bound', async () => {
    const big = { interaction: 'update', resource: { ...patient, text: 'x'.repeat(2000) } };
    await expect(decodeChangeRecord(record(big), { maxValueBytes: 1000 })).rejects.toMatchObject({
      reason: 'too-large',
    });
  });

  it('names the failing change of a batch', async () => {
    const batch = {
      changes: [
        { reference: { resourceType: 'Patient', resourceId: 'ok' }, changeType: 'create' },
        { reference: { resourceType: 'Patient' }, changeType: 'create' },
      ],
    };
    await expect(decodeChangeRecord(record(batch))).rejects.toThrow(/changes\[1\]: no id/);
  });
});
