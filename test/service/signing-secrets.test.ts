import { describe, expect, it } from 'vitest';
import { signingSecrets } from '../../app/service/signing-secrets.js';
import { subscriptionStoreKey, type FhirResource } from '../../processors/index.js';
import type { ReadOnlyTable } from '../../state/index.js';

const SIGNING = 'https://substream.dev/fhir/StructureDefinition/subscription-signing-secret';

function subscription(id: string, secret?: string): FhirResource {
  return {
    resourceType: 'Subscription',
    id,
    status: 'active',
    reason: 'test',
    criteria: 'Observation?code=1',
    channel: { type: 'rest-hook', endpoint: 'http://127.0.0.1:9/hook', payload: 'application/fhir+json' },
    ...(secret === undefined ? {} : { extension: [{ url: SIGNING, valueString: secret }] }),
  };
}

/** The table as the sink's replica behaves: each change puts a new decoded object in place. */
function table(): ReadOnlyTable<FhirResource> & { values: Map<string, FhirResource> } {
  const values = new Map<string, FhirResource>();
  return {
    name: 'subscriptions',
    values,
    get: (key) => values.get(key),
    entries: () => values.entries(),
    size: () => values.size,
    onChange: () => () => undefined,
    writtenAt: () => undefined,
  };
}

describe('signingSecrets', () => {
  it('reads the secret of the subscription, and none when it has none or is absent', () => {
    const t = table();
    t.values.set(subscriptionStoreKey('a'), subscription('a', 'whsec-a'));
    t.values.set(subscriptionStoreKey('b'), subscription('b'));
    const secretFor = signingSecrets(t);
    expect(secretFor('a')).toBe('whsec-a');
    expect(secretFor('a')).toBe('whsec-a');
    expect(secretFor('b')).toBeUndefined();
    expect(secretFor('b')).toBeUndefined();
    expect(secretFor('c')).toBeUndefined();
  });

  it('follows an updated or deleted subscription', () => {
    const t = table();
    const key = subscriptionStoreKey('a');
    t.values.set(key, subscription('a', 'whsec-1'));
    const secretFor = signingSecrets(t);
    expect(secretFor('a')).toBe('whsec-1');
    t.values.set(key, subscription('a', 'whsec-2'));
    expect(secretFor('a')).toBe('whsec-2');
    t.values.set(key, subscription('a'));
    expect(secretFor('a')).toBeUndefined();
    t.values.delete(key);
    expect(secretFor('a')).toBeUndefined();
    t.values.set(key, subscription('a', 'whsec-3'));
    expect(secretFor('a')).toBe('whsec-3');
  });

  it("reads a tenant's subscription under its tenant, apart from another's of the same id", () => {
    const t = table();
    t.values.set(subscriptionStoreKey('a'), subscription('a', 'whsec-none'));
    t.values.set(subscriptionStoreKey('a', 'north'), subscription('a', 'whsec-north'));
    t.values.set(subscriptionStoreKey('b', 'north'), subscription('b', 'whsec-b'));
    const secretFor = signingSecrets(t);
    expect(secretFor('a')).toBe('whsec-none');
    expect(secretFor('a', 'north')).toBe('whsec-north');
    expect(secretFor('a', 'south')).toBeUndefined();
    expect(secretFor('b', 'north')).toBe('whsec-b');
    expect(secretFor('b')).toBeUndefined();
  });

  it('gives no secret for a resource that cannot be read', () => {
    const t = table();
    t.values.set(subscriptionStoreKey('x'), { resourceType: 'Subscription', id: 'x' });
    expect(signingSecrets(t)('x')).toBeUndefined();
  });
});
