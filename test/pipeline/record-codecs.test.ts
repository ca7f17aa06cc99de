import { describe, expect, it } from 'vitest';
import type { FhirResource, Match, NormalizedSubscription } from '../../processors/index.js';
import { normalizeSubscription, rememberJson } from '../../processors/index.js';
import { matchRecordCodec, storeValueCodec } from '../../app/pipeline/record-codecs.js';
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
