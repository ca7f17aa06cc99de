import { describe, expect, it } from 'vitest';
import {
  decodeChangeRecord,
  parseCanonicalResourceKey,
  canonicalResourceKey,
} from '../../processors/index.js';
import { record } from './helpers.js';

const change = (extra: Record<string, unknown> = {}) => ({
  interaction: 'update',
  resource: { resourceType: 'Patient', id: 'p1', meta: { versionId: '1' } },
  ...extra,
});

describe('canonical keys and repartitioning', () => {
  it('keys by ResourceType/id, tenant first and percent-encoded', () => {
    expect(canonicalResourceKey('Patient', 'p1')).toBe('Patient/p1');
    expect(canonicalResourceKey('Patient', 'p1', 'a/b c')).toBe('a%2Fb%20c/Patient/p1');
    expect(parseCanonicalResourceKey('a%2Fb%20c/Patient/p1')).toEqual({
      tenant: 'a/b c',
      resourceType: 'Patient',
      id: 'p1',
    });
    expect(parseCanonicalResourceKey('Patient/p1')).toEqual({ resourceType: 'Patient', id: 'p1' });
    expect(parseCanonicalResourceKey('p1')).toBeUndefined();
    expect(parseCanonicalResourceKey('x/y/Patient/p1')).toBeUndefined();
  });

  it('needs no repartition when the record is keyed canonically', async () => {
    const [d] = await decodeChangeRecord(record(change(), { key: Buffer.from('Patient/p1') }));
    expect(d!.repartition).toBe(false);
  });

  it('asks for a repartition when the record has no key or a non-canonical one', async () => {
    for (const key of [null, 'p1', '8f1e2c']) {
      const [d] = await decodeChangeRecord(record(change(), { key }));
      expect(d!.key).toBe('Patient/p1');
      expect(d!.repartition).toBe(true);
    }
  });

  it('takes the tenant from a header and qualifies the key with it', async () => {
    const [d] = await decodeChangeRecord(
      record(change(), { key: 'Patient/p1', headers: { tenant: Buffer.from('north') } }),
    );
    expect(d!.change.tenant).toBe('north');
    expect(d!.key).toBe('north/Patient/p1');
    // The producer keyed the right resource without its tenant: re-keyed, not rejected.
    expect(d!.repartition).toBe(true);
  });

  it('prefers the tenant in the value over the header', async () => {
    const [d] = await decodeChangeRecord(
      record(change({ tenant: 'south' }), { headers: { tenant: 'north' } }),
    );
    expect(d!.key).toBe('south/Patient/p1');
  });

  it('takes the tenant from a tenant-qualified key when nothing else names one', async () => {
    const [d] = await decodeChangeRecord(record(change(), { key: 'west/Patient/p1' }));
    expect(d!.change.tenant).toBe('west');
    expect(d!.repartition).toBe(false);
  });
});
