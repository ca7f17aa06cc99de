import { describe, expect, it } from 'vitest';
import { changeGenerator, RESOURCE_TYPES, zipfSampler, seededRandom } from '../../bench/harness/index.js';

describe('the change generator', () => {
  it('makes FHIR resources of 1 to 3 KB of every type', () => {
    const generator = changeGenerator({ seed: 3 });
    const seen = new Set<string>();
    for (let i = 0; i < 2_000; i++) {
      const { key, value } = generator.next();
      const bytes = Buffer.byteLength(JSON.stringify(value.resource));
      expect(bytes).toBeGreaterThanOrEqual(1024);
      expect(bytes).toBeLessThanOrEqual(3072);
      expect(key).toBe(`${value.resourceType}/${value.id}`);
      expect(value.resource.resourceType).toBe(value.resourceType);
      expect(value.resource.id).toBe(value.id);
      seen.add(value.resourceType);
    }
    expect([...seen].sort()).toEqual([...RESOURCE_TYPES].sort());
  });

  it('creates a resource first, then updates it with increasing versions', () => {
    const generator = changeGenerator({
      seed: 5,
      population: { Patient: 20, Observation: 50, Encounter: 20, Condition: 20 },
    });
    const last = new Map<string, number>();
    for (let i = 0; i < 3_000; i++) {
      const { key, value } = generator.next();
      const version = Number(value.versionId);
      expect(value.resource.meta?.versionId).toBe(value.versionId);
      expect(version).toBe((last.get(key) ?? 0) + 1);
      expect(value.interaction).toBe(version === 1 ? 'create' : 'update');
      last.set(key, version);
    }
  });

  it('keeps identity attributes across versions and uses real code systems and references', () => {
    const generator = changeGenerator({
      seed: 9,
      population: { Patient: 5, Observation: 5, Encounter: 5, Condition: 5 },
    });
    const subjects = new Map<string, unknown>();
    for (let i = 0; i < 500; i++) {
      const { key, value } = generator.next();
      const r = value.resource as Record<string, unknown>;
      if (value.resourceType === 'Observation') {
        expect(JSON.stringify(r.code)).toContain('http://loinc.org');
        expect(r.effectiveDateTime).toMatch(/^\d{4}-\d\d-\d\dT/);
      }
      if (value.resourceType === 'Condition')
        expect(JSON.stringify(r.code)).toContain('http://snomed.info/sct');
      if (value.resourceType === 'Patient') expect(JSON.stringify(r.identifier)).toContain('MRN-');
      if (value.resourceType !== 'Patient') {
        const subject = (r.subject as { reference: string }).reference;
        expect(subject).toMatch(/^Patient\/pat-\d+$/);
        if (subjects.has(key)) expect(subjects.get(key)).toBe(subject);
        subjects.set(key, subject);
      }
    }
  });

  it('is reproducible from its seed', () => {
    const a = changeGenerator({ seed: 11 });
    const b = changeGenerator({ seed: 11 });
    const c = changeGenerator({ seed: 12 });
    const take = (g: ReturnType<typeof changeGenerator>): string =>
      Array.from({ length: 200 }, () => JSON.stringify(g.next())).join('\n');
    const first = take(a);
    expect(take(b)).toBe(first);
    expect(take(c)).not.toBe(first);
  });

  it('chooses resources with a Zipf distribution', () => {
    const size = 1_000;
    const sampler = zipfSampler({ size, exponent: 1, random: seededRandom(1) });
    const counts = new Array<number>(size).fill(0);
    const n = 200_000;
    for (let i = 0; i < n; i++) counts[sampler.sample()]!++;
    // The top ranks follow 1/k within a few percent, and the head is far hotter than the tail.
    for (const rank of [0, 1, 2, 9]) {
      const observed = counts[rank]! / n;
      expect(Math.abs(observed - sampler.probability(rank)) / sampler.probability(rank)).toBeLessThan(0.05);
    }
    expect(counts[0]! / counts[1]!).toBeCloseTo(2, 0);
    const head = counts.slice(0, 10).reduce((a, b) => a + b, 0);
    const tail = counts.slice(size - 100).reduce((a, b) => a + b, 0);
    expect(head).toBeGreaterThan(tail * 10);
  });
});
