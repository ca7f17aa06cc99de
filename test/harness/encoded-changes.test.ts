import { describe, expect, it } from 'vitest';
import {
  changeGenerator,
  partOf,
  pregenerate,
  recordValue,
  stampRecords,
  type GeneratedChange,
} from '../../bench/harness/index.js';
import type { ChangeEvent } from '../../processors/index.js';

describe('pre-encoded changes', () => {
  const seen: { change: GeneratedChange; part: number; index: number }[] = [];
  const parts = pregenerate({
    generator: changeGenerator({ seed: 5 }),
    parts: 3,
    perPart: 400,
    onChange: (change, part, index) => seen.push({ change: structuredClone(change), part, index }),
  });

  it('gives every part enough records, each key to one part, in the generated order', () => {
    for (const p of parts) expect(p.keys.length).toBeGreaterThanOrEqual(400);
    expect(seen.length).toBe(parts.reduce((n, p) => n + p.keys.length, 0));
    for (const { change, part, index } of seen) {
      expect(part).toBe(partOf(change.key, 3));
      expect(parts[part]!.keys[index]).toBe(change.key);
      const decoded = JSON.parse(recordValue(parts[part]!, index).toString('utf8')) as ChangeEvent;
      expect(decoded.versionId).toBe(change.value.versionId);
      expect(decoded.id).toBe(change.value.id);
    }
  });

  it('stamps the send time into occurredAt and meta.lastUpdated in place', () => {
    const part = parts[1]!;
    const at = '2026-11-22T04:05:06.789Z';
    stampRecords(part, 0, 10, at);
    for (let i = 0; i < 12; i++) {
      const value = JSON.parse(recordValue(part, i).toString('utf8')) as ChangeEvent;
      const stamped = i < 10;
      expect(value.occurredAt === at).toBe(stamped);
      expect(value.resource?.meta?.lastUpdated === at).toBe(stamped);
    }
    expect(() => stampRecords(part, 0, 1, '2026-11-22')).toThrow(RangeError);
  });
});
