/**
 * A seeded pseudo-random source (mulberry32) and a Zipf sampler over ranks, so that every load and
 * fuzz run can be reproduced from its seed.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max] (both included). */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
}

export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => {
      if (items.length === 0) throw new RangeError('pick from an empty list');
      return items[Math.floor(next() * items.length)] as (typeof items)[number];
    },
  };
}

/**
 * Samples ranks 0..n-1 with P(rank k) proportional to 1/(k+1)^exponent: a few hot resources take
 * most of the changes, as on a real FHIR server.
 */
export interface ZipfSampler {
  readonly size: number;
  sample(): number;
  /** The rank at a given uniform value u in [0, 1): lets a caller sample with its own random source. */
  rankAt(u: number): number;
  /** The probability of a rank, for checking a sampled distribution. */
  probability(rank: number): number;
}

export function zipfSampler(options: { size: number; exponent?: number; random?: Random }): ZipfSampler {
  const { size, exponent = 1.0, random } = options;
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`zipf size must be a positive integer, got ${size}`);
  const cdf = new Float64Array(size);
  let total = 0;
  for (let k = 0; k < size; k++) {
    total += 1 / Math.pow(k + 1, exponent);
    cdf[k] = total;
  }
  for (let k = 0; k < size; k++) cdf[k] = (cdf[k] as number) / total;
  const rankAt = (u: number): number => {
    let lo = 0;
    let hi = size - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cdf[mid] as number) < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return {
    size,
    sample: () => {
      if (random === undefined) throw new RangeError('this zipf sampler has no random source; use rankAt');
      return rankAt(random.next());
    },
    rankAt,
    probability: (rank) => 1 / Math.pow(rank + 1, exponent) / total,
  };
}
