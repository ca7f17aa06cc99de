import { describe, expect, it, vi } from 'vitest';
import type { FhirResource, Match, NormalizedSubscription, StoredVersion } from '../../processors/index.js';
import {
  decodeChangeRecord,
  normalizeSubscription,
  rememberJson,
  sourceRecordOf,
  stringifyWithKnown,
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
    expect(() => codec.decode(Buffer.from('\u0001{}\n[1]\n'))).toThrow(DecodeError);
  });

  it('parses resource and previous only when they are read; their text is spliced as it came', () => {
    const bytes = codec.encode(match);
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const back = codec.decode(bytes);
      expect(parse).toHaveBeenCalledTimes(1);
      expect(stringifyWithKnown({ entry: [{ resource: back.resource }] })).toBe(
        JSON.stringify({ entry: [{ resource }] }),
      );
      expect(parse).toHaveBeenCalledTimes(1);
      expect(back.resource?.meta?.versionId).toBe('2');
      expect(back.previous).toEqual(previous);
      expect(parse).toHaveBeenCalledTimes(3);
    } finally {
      parse.mockRestore();
    }
  });

  it('reports a resource segment that cannot be read when it is read', () => {
    const back = codec.decode(Buffer.from('\u0001{"subscriptionId":"s1"}\n{"id":}\n'));
    expect(() => back.resource?.id).toThrow(DecodeError);
    expect(() => JSON.stringify({ ...back })).toThrow(DecodeError);
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

  /** Decodes a changelog record as the decode stage does, with the record the store may keep. */
  async function decoded(value: string): Promise<{ resource?: FhirResource; record?: Buffer }> {
    const bytes = Buffer.from(value, 'utf8');
    const out = await decodeChangeRecord({ topic: 'changes', partition: 0, key: null, value: bytes });
    const record = sourceRecordOf(out, bytes);
    return {
      ...(out[0]?.change.resource ? { resource: out[0].change.resource } : {}),
      ...(record ? { record } : {}),
    };
  }

  it('keep the changelog record of a canonical JSON change as it came, and read its resource back', async () => {
    // Whitespace and escapes the serialiser would not write: the record is kept byte for byte.
    const text = `{ "interaction": "update", "resource": ${JSON.stringify(resource, null, 2).replace('ü', '\\u00fc')} }`;
    const { resource: current, record } = await decoded(text);
    expect(current).toEqual(resource);
    expect(record?.toString('utf8')).toBe(text);
    const value: StoredVersion = { ...header, resource: current!, record: record! };
    const bytes = codec.encode(value);
    expect(bytes[0]).toBe(0x02);
    expect(bytes.subarray(bytes.indexOf(0x0a) + 1).toString('utf8')).toBe(text);
    const back = codec.decode(bytes);
    expect(back).toEqual(value);
    // A version read back and stored again (a tombstone keeps its body) keeps the record.
    expect(codec.encode({ ...back, deleted: true })).toEqual(codec.encode({ ...value, deleted: true }));
  });

  it('read a resource given as a JSON string in the record', async () => {
    const { resource: current, record } = await decoded(
      JSON.stringify({ interaction: 'create', resource: JSON.stringify(resource) }),
    );
    const value: StoredVersion = { ...header, resource: current!, record: record! };
    expect(codec.encode(value)[0]).toBe(0x02);
    expect(codec.decode(codec.encode(value))).toEqual(value);
  });

  it('keep no record of a change with a previous version, of another format or of a batch', async () => {
    expect(
      (await decoded(JSON.stringify({ interaction: 'update', resource, previous }))).record,
    ).toBeUndefined();
    const json = Buffer.from(JSON.stringify({ interaction: 'update', resource }));
    const change = {
      key: 'Observation/obs-1',
      change: { interaction: 'update' as const, resourceType: 'Observation', id: 'obs-1', resource },
      repartition: false,
      bodyless: false,
    };
    expect(sourceRecordOf([{ ...change, format: 'firely' }], json)).toBeUndefined();
    expect(
      sourceRecordOf(
        [
          { ...change, format: 'canonical' },
          { ...change, format: 'canonical' },
        ],
        json,
      ),
    ).toBeUndefined();
    expect(
      sourceRecordOf([{ ...change, format: 'canonical' }], Buffer.from([0, 0, 0, 0, 1, 2])),
    ).toBeUndefined();
    expect(sourceRecordOf([{ ...change, format: 'canonical' }], null)).toBeUndefined();
    expect(sourceRecordOf([{ ...change, format: 'canonical' }], json)).toBe(json);
  });

  it('are plain JSON for versions without a record', () => {
    for (const value of [
      { ...header, resource },
      { deleted: true, emitted: true, seenAt: 's' },
    ] as StoredVersion[]) {
      expect(codec.encode(value).toString('utf8')).toBe(JSON.stringify(value));
      expect(codec.decode(codec.encode(value))).toEqual(value);
    }
    // A record without a resource is never written.
    const bare: StoredVersion = { deleted: true, emitted: true, seenAt: 's' };
    expect(codec.encode({ ...bare, record: Buffer.from('{}') }).toString('utf8')).toBe(JSON.stringify(bare));
  });

  it('still read versions stored as plain JSON', () => {
    const value: StoredVersion = { ...header, resource };
    expect(codec.decode(Buffer.from(JSON.stringify(value)))).toEqual(value);
  });

  it('parse a kept record only when the resource is read', async () => {
    const { resource: current, record } = await decoded(JSON.stringify({ interaction: 'update', resource }));
    const bytes = codec.encode({ ...header, resource: current!, record: record! });
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const back = codec.decode(bytes);
      expect(parse).toHaveBeenCalledTimes(1);
      // Stored again (a tombstone), the record is kept without being read.
      expect(codec.encode({ ...back, deleted: true })[0]).toBe(0x02);
      expect(parse).toHaveBeenCalledTimes(1);
      expect(back.resource?.id).toBe('obs-1');
      expect(parse).toHaveBeenCalledTimes(2);
    } finally {
      parse.mockRestore();
    }
  });

  it('give a previous version that a match record writes as the parsed resource would be', async () => {
    const { resource: current, record } = await decoded(JSON.stringify({ interaction: 'update', resource }));
    const back = codec.decode(codec.encode({ ...header, resource: current!, record: record! }));
    const records = matchRecordCodec();
    const withStored = records.encode({ ...match, previous: back.resource! });
    expect(withStored).toEqual(records.encode({ ...match, previous: JSON.parse(JSON.stringify(resource)) }));
    expect(records.decode(withStored).previous).toEqual(resource);
  });

  it('reject a kept record that cannot be read, when it is read', () => {
    expect(() => codec.decode(Buffer.from('\u0002{"deleted":false}'))).toThrow(DecodeError);
    expect(() => codec.decode(Buffer.from('\u0002{"deleted":false}\n[]'))).toThrow(DecodeError);
    for (const text of ['{"interaction":', '{"interaction":"delete"}']) {
      const back = codec.decode(Buffer.from(`\u0002{"deleted":false}\n${text}`));
      expect(() => back.resource?.resourceType).toThrow(DecodeError);
      // Every read, not only the first.
      expect(() => Object.keys(back.resource!)).toThrow(DecodeError);
    }
  });
});
