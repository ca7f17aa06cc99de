import { describe, expect, it } from 'vitest';
import { defaultDeliveryOptions, deliveryConfigSchema } from '../../processors/index.js';

describe('delivery stage configuration', () => {
  it('defaults to the stage defaults', () => {
    expect(deliveryConfigSchema.parse({})).toEqual(defaultDeliveryOptions);
  });

  it('fills nested defaults and refuses nonsense, naming the setting', () => {
    expect(deliveryConfigSchema.parse({ backoff: { initialMs: 50 } }).backoff).toEqual({
      initialMs: 50,
      maxMs: 60_000,
      multiplier: 2,
    });
    const result = deliveryConfigSchema.safeParse({ defaultMaxAttempts: 0, maxConcurrency: 'many' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual([
      'defaultMaxAttempts',
      'maxConcurrency',
    ]);
  });
});
