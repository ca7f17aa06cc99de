import { describe, expect, it } from 'vitest';
import {
  BAD_REASONS,
  badRecords,
  FIRELY_EVENT_TYPE,
  UNKNOWN_INTERACTIONS,
  type BadRecord,
} from './bad-records.js';

const OVERSIZE = 64 * 1024;
const INTERACTIONS = ['create', 'update', 'delete'];

function parses(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

type Json = Record<string, unknown>;

/** Checks a record is invalid for exactly the reason it states; returns a complaint or undefined. */
function complaint(record: BadRecord): string | undefined {
  const text = record.value.toString('utf8');
  const value = parses(text) as Json | undefined;
  switch (record.reason) {
    case 'truncated-json':
      return value === undefined ? undefined : 'parses as JSON';
    case 'binary-garbage':
      return value === undefined && record.value[0] !== 0
        ? undefined
        : 'parses, or looks schema-registry framed';
    case 'wrong-types': {
      if (!value) return 'does not parse';
      const wrong =
        typeof value.id !== 'string' ||
        typeof value.interaction !== 'string' ||
        typeof value.resourceType !== 'string' ||
        typeof value.resource !== 'object' ||
        typeof value.versionId !== 'string' ||
        typeof value.occurredAt !== 'string';
      return wrong ? undefined : 'every field has its right type';
    }
    case 'missing-id':
      return value &&
        value.id === undefined &&
        (value.resource as Json).id === undefined &&
        record.key === null
        ? undefined
        : 'an id is still present';
    case 'mismatched-key':
      return value && record.key !== `${String(value.resourceType)}/${String(value.id)}`
        ? undefined
        : 'key matches';
    case 'oversize':
      return record.value.length > OVERSIZE ? undefined : `only ${record.value.length} bytes`;
    case 'unknown-interaction':
      return value && !INTERACTIONS.includes(value.interaction as string)
        ? undefined
        : 'interaction is known';
    case 'firely-broken': {
      if (!value) return 'does not parse';
      const event = (value.message ?? value) as Json;
      const changes = event.changes as Json[];
      if ((value.messageType as string[] | undefined)?.[0] !== FIRELY_EVENT_TYPE && changes.length === 0)
        return 'not recognisable as Firely';
      if (changes.length === 0) return undefined;
      return parses(changes[0]!.resource as string) === undefined ? undefined : 'resource parses';
    }
    case 'smile-broken': {
      const payload = value?.payload as Json | undefined;
      if (!payload) return 'no Smile payload';
      const knownOperation = ['CREATE', 'UPDATE', 'DELETE'].includes(payload.operationType as string);
      return !knownOperation || parses(payload.payload as string) === undefined
        ? undefined
        : 'payload is fine';
    }
  }
}

describe('the bad changelog record fuzzer', () => {
  it('makes 10,000 records, each invalid for its stated reason, covering every reason', () => {
    const counts = new Map<string, number>();
    for (const record of badRecords({ seed: 42, count: 10_000, oversizeBytes: OVERSIZE + 1 })) {
      const problem = complaint(record);
      expect(problem, `${record.reason} (${record.detail}): ${problem}`).toBeUndefined();
      expect(record.detail.length).toBeGreaterThan(0);
      counts.set(record.reason, (counts.get(record.reason) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual([...BAD_REASONS].sort());
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(10_000);
  });

  it('is reproducible from its seed', () => {
    const digest = (seed: number): string =>
      [...badRecords({ seed, count: 300, oversizeBytes: 1024 })]
        .map((r) => `${r.key}|${r.reason}|${r.value.toString('base64')}`)
        .join('\n');
    expect(digest(7)).toBe(digest(7));
    expect(digest(7)).not.toBe(digest(8));
  });

  it('uses interactions no decoder knows', () => {
    for (const interaction of UNKNOWN_INTERACTIONS) expect(INTERACTIONS).not.toContain(interaction);
  });
});
