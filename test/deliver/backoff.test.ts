import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../processors/index.js';

const options = { initialMs: 1_000, maxMs: 10_000, multiplier: 2 };

describe('backoffDelay', () => {
  it('doubles per attempt with half of each delay random', () => {
    expect(backoffDelay(1, options, () => 0)).toBe(500);
    expect(backoffDelay(1, options, () => 0.999999)).toBe(1_000);
    expect(backoffDelay(3, options, () => 0)).toBe(2_000);
  });

  it('caps at maxMs', () => {
    expect(backoffDelay(30, options, () => 0.999999)).toBe(10_000);
    expect(backoffDelay(30, options, () => 0)).toBe(5_000);
  });
});
