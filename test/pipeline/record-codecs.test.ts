import { describe, expect, it } from 'vitest';
import type { FhirResource, Match, NormalizedSubscription, StoredVersion } from '../../processors/index.js';
import {
  decodeChangeRecord,
  normalizeSubscription,
  rememberJson,
  rememberSourceRecord,
  sourceRecordOf,
} from '../../processors/index.js';
import { matchRecordCodec, storeValueCodec, versionValueCodec } from '../../app/pipeline/record-codecs.js';
import { withoutUnusedPrevious } from '../../app/pipeline/processor-topology.js';
import { DecodeError } from '../../state/index.js';

const resource: FhirResource = {
  resourceType: 'Observation',
  id: 'obs-1',
  meta: { versionId: '2' },
  status: 'final',
  note: [{ text: 'two\nlines, "quoted", ünïcödé' }],
};
const previous: FhirResource = { resourceType: 'Observation', id: 'obs-1', meta: { versionId: '1' } };
const match: Match = {
  subscriptionId: 's1',
  tenant: 'clinic a',
  interaction: 'update',
  focus: { reference: 'Observation/obs-1', versionId: '2' },
  resource,
  previous,
  occurredAt: '2026-01-01T00:00:00.000Z',
  changeOffset: 'changes:0:7',
};

describe('match record codec', () => {
  const codec = matchRecordCodec();

  it('reads back what it writes, with and without resource and previous', () => {
    const { previous: _p, ...noPrevious } = match;
    const { resource: _r, previous: _q, ...bare } = match;
    const { resource: _s, ...previousOnly } = match;
    for (const m of [match, noPrevious, bare, previousOnly]) {
      expect(codec.decode(codec.encode(m))).toEqual(m);
    }
  });

  it('serialises a resource shared by several matches once and reads each back', () => {
    const a = codec.encode(match);
    const b = codec.encode({ ...match, subscriptionId: 's2' });
    expect(codec.decode(b)).toEqual({ ...match, subscriptionId: 's2' });
    expect(codec.decode(a)).toEqual(match);
  });

  it('still reads records written as one JSON object', () => {
    expect(codec.decode(Buffer.from(JSON.stringify(match)))).toEqual(match);
  });

  it('rejects bytes in no known layout', () => {
    expect(() => codec.decode(Buffer.from([0x02, 0x7b, 0x7d]))).toThrow(DecodeError);
    expect(() => codec.decode(Buffer.from('\u0001{}'))).toThrow(DecodeError);
  });
});

describe('previous in match records', () => {
  const sub = normalizeSubscription({
    resourceType: 'Subscription',
    id: 's1',
    status: 'active',
    criteria: 'Observation?status=final',
    channel: { type: 'rest-hook', endpoint: 'http://127.0.0.1:9/hook', payload: 'application/fhir+json' },
  });
  const subscription = (payloadFormat?: NormalizedSubscription['options']['payloadFormat']) =>
    payloadFormat ? { ...sub, options: { ...sub.options, payloadFormat } } : sub;

  it('is kept for the eHealth diff payloads', () => {
    expect(withoutUnusedPrevious(match, subscription('ehealth-context')).previous).toEqual(previous);
    expect(withoutUnusedPrevious(match, subscription('ehealth-reference')).previous).toEqual(previous);
    expect(withoutUnusedPrevious(match, subscription('ehealth-simple')).previous).toBeUndefined();
  });

  it('is left out when the payload does not read it', () => {
    expect(withoutUnusedPrevious(match, subscription()).previous).toBeUndefined();
  });

  it('is kept without a resource to fall back from, or for an unknown subscription', () => {
    const { resource: _r, ...deleted } = match;
    expect(withoutUnusedPrevious(deleted, subscription()).previous).toEqual(previous);
    expect(withoutUnusedPrevious(match, undefined).previous).toEqual(previous);
  });
});

describe('store values', () => {
  it('are the bytes plain JSON gives, remembered resource text spliced in', () => {
    const codec = storeValueCodec<{ resource: FhirResource; seenAt: string }>();
    const remembered = JSON.parse(JSON.stringify(resource)) as FhirResource;
    rememberJson(remembered, JSON.stringify(resource));
    for (const value of [
      { resource, seenAt: 'x' },
      { resource: remembered, seenAt: 'y' },
    ]) {
      expect(codec.encode(value).toString('utf8')).toBe(JSON.stringify(value));
      expect(codec.decode(codec.encode(value))).toEqual(value);
    }
  });
});

describe('versions store values', () => {
  const codec = versionValueCodec();
  const header = {
    versionId: '2',
    lastUpdated: '2026-01-01T00:00:00.000Z',
    deleted: false,
    emitted: true,
    seenAt: 's',
  };

  /** Decodes a changelog record as the decode stage does, remembering its bytes for the resource. */
  async function decoded(value: Buffer | string): Promise<FhirResource | undefined> {
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    const out = await decodeChangeRecord({ topic: 'changes', partition: 0, key: null, value: bytes });
    rememberSourceRecord(out, bytes);
    return out[0]?.change.resource;
  }

  it('keep the changelog record of a canonical JSON change as it came, and read its resource back', async () => {
    // Whitespace and escapes the serialiser would not write: the record is kept byte for byte.
    const text = `{ "interaction": "update", "resource": ${JSON.stringify(resource, null, 2).replace('ü', '\\u00fc')} }`;
    const current = await decoded(text);
    expect(current).toEqual(resource);
    expect(sourceRecordOf(current!)?.toString('utf8')).toBe(text);
    const value: StoredVersion = { ...header, resource: current! };
    const bytes = codec.encode(value);
    expect(bytes[0]).toBe(0x02);
    expect(bytes.subarray(bytes.indexOf(0x0a) + 1).toString('utf8')).toBe(text);
    expect(codec.decode(bytes)).toEqual(value);
  });

  it('read a resource given as a JSON string in the record', async () => {
    const current = await decoded(
      JSON.stringify({ interaction: 'create', resource: JSON.stringify(resource) }),
    );
    const value: StoredVersion = { ...header, resource: current! };
    expect(codec.encode(value)[0]).toBe(0x02);
    expect(codec.decode(codec.encode(value))).toEqual(value);
  });

  it('are plain JSON for resources without a kept record', async () => {
    const withPrevious = await decoded(JSON.stringify({ interaction: 'update', resource, previous }));
    const json = Buffer.from(JSON.stringify({ interaction: 'update', resource }));
    const change = (r: FhirResource) => ({
      key: 'Observation/obs-1',
      change: { interaction: 'update' as const, resourceType: 'Observation', id: 'obs-1', resource: r },
      repartition: false,
      bodyless: false,
    });
    const firely = structuredClone(resource);
    rememberSourceRecord([{ ...change(firely), format: 'firely' }], json);
    const batched = [structuredClone(resource), structuredClone(resource)];
    rememberSourceRecord(
      batched.map((r) => ({ ...change(r), format: 'canonical' as const })),
      json,
    );
    const framed = structuredClone(resource);
    rememberSourceRecord([{ ...change(framed), format: 'canonical' }], Buffer.from([0, 0, 0, 0, 1, 2]));
    for (const r of [firely, ...batched, framed]) expect(sourceRecordOf(r)).toBeUndefined();
    for (const r of [resource, withPrevious!, firely, framed]) {
      const value: StoredVersion = { ...header, resource: r };
      expect(codec.encode(value).toString('utf8')).toBe(JSON.stringify(value));
      expect(codec.decode(codec.encode(value))).toEqual(value);
    }
    const tombstone: StoredVersion = { deleted: true, emitted: true, seenAt: 's' };
    expect(codec.encode(tombstone).toString('utf8')).toBe(JSON.stringify(tombstone));
  });

  it('still read versions stored as plain JSON', () => {
    const value: StoredVersion = { ...header, resource };
    expect(codec.decode(Buffer.from(JSON.stringify(value)))).toEqual(value);
  });

  it('reject a kept record that cannot be read', () => {
    expect(() => codec.decode(Buffer.from('\u0002{"deleted":false}'))).toThrow(DecodeError);
    expect(() => codec.decode(Buffer.from('\u0002{"deleted":false}\n{"interaction":'))).toThrow(DecodeError);
    expect(() => codec.decode(Buffer.from('\u0002{"deleted":false}\n{"interaction":"delete"}'))).toThrow(
      DecodeError,
    );
  });
});
