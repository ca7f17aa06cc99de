/**
 * The change generator: an endless, reproducible stream of canonical ChangeEvents over a fixed
 * population of resources. Which resource changes next is Zipf-distributed per type; its first
 * change is a create, every later one an update with the next versionId.
 */
import type { ChangeEvent, FhirResource } from '../../../processors/index.js';
import { seededRandom, zipfSampler, type Random, type ZipfSampler } from './random.js';
import { buildResource, idAt, identityRandom, RESOURCE_TYPES, type GeneratedType } from './resources.js';

export interface ChangeGeneratorOptions {
  seed?: number;
  /** How many distinct resources of each type exist. */
  population?: Partial<Record<GeneratedType, number>>;
  /** Relative share of changes per type. */
  mix?: Partial<Record<GeneratedType, number>>;
  /** Zipf exponent of the choice of resource within a type. */
  exponent?: number;
  minBytes?: number;
  maxBytes?: number;
}

export const DEFAULT_POPULATION: Record<GeneratedType, number> = {
  Patient: 2_000,
  Observation: 20_000,
  Encounter: 5_000,
  Condition: 5_000,
};

export const DEFAULT_MIX: Record<GeneratedType, number> = {
  Patient: 0.15,
  Observation: 0.55,
  Encounter: 0.15,
  Condition: 0.15,
};

/** A change as generated, before it is stamped with its send time. */
export interface GeneratedChange {
  /** Kafka key: `ResourceType/id`. */
  key: string;
  value: ChangeEvent & { resource: FhirResource; versionId: string };
}

export interface ChangeGenerator {
  next(): GeneratedChange;
  /** How many versions each resource has had so far, keyed `Type/id`. */
  versions(): ReadonlyMap<string, number>;
  readonly options: Required<Omit<ChangeGeneratorOptions, 'population' | 'mix'>> & {
    population: Record<GeneratedType, number>;
    mix: Record<GeneratedType, number>;
  };
}

/** An ISO timestamp of the same length as any real one, so stamping does not change sizes. */
export const PLACEHOLDER_TIME = '1970-01-01T00:00:00.000Z';

export function changeGenerator(options: ChangeGeneratorOptions = {}): ChangeGenerator {
  const seed = options.seed ?? 1;
  const population = { ...DEFAULT_POPULATION, ...options.population };
  const mix = { ...DEFAULT_MIX, ...options.mix };
  const exponent = options.exponent ?? 1.0;
  const minBytes = options.minBytes ?? 1100;
  const maxBytes = options.maxBytes ?? 2900;
  if (minBytes > maxBytes) throw new RangeError(`minBytes ${minBytes} exceeds maxBytes ${maxBytes}`);

  const random = seededRandom(seed);
  const samplers = Object.fromEntries(
    RESOURCE_TYPES.map((t) => [t, zipfSampler({ size: population[t], exponent, random })]),
  ) as Record<GeneratedType, ZipfSampler>;
  const totalMix = RESOURCE_TYPES.reduce((sum, t) => sum + mix[t], 0);
  const versions = new Map<string, number>();

  const pickType = (r: Random): GeneratedType => {
    let u = r.next() * totalMix;
    for (const t of RESOURCE_TYPES) {
      u -= mix[t];
      if (u < 0) return t;
    }
    return 'Observation';
  };

  return {
    options: { seed, population, mix, exponent, minBytes, maxBytes },
    versions: () => versions,
    next: () => {
      const type = pickType(random);
      const id = idAt(type, samplers[type].sample());
      const key = `${type}/${id}`;
      const versionId = (versions.get(key) ?? 0) + 1;
      versions.set(key, versionId);
      const resource = buildResource({
        type,
        id,
        versionId,
        lastUpdated: PLACEHOLDER_TIME,
        identity: identityRandom(seed, type, id),
        version: random,
        patientAt: (u) => idAt('Patient', samplers.Patient.rankAt(u)),
        encounterAt: (u) => idAt('Encounter', samplers.Encounter.rankAt(u)),
        targetBytes: random.int(minBytes, maxBytes),
      });
      return {
        key,
        value: {
          interaction: versionId === 1 ? 'create' : 'update',
          resourceType: type,
          id,
          resource,
          versionId: String(versionId),
        },
      };
    },
  };
}

/**
 * Stamps the send time as occurredAt and as the resource's meta.lastUpdated, so the receiver can
 * compute change-to-delivery latency from either, then returns the change.
 */
export function stampSendTime<T extends GeneratedChange>(change: T, at: Date): T {
  const iso = at.toISOString();
  change.value.occurredAt = iso;
  if (change.value.resource.meta) change.value.resource.meta.lastUpdated = iso;
  return change;
}
