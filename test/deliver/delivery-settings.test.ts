import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../app/config/index.js';
import { deliveryOptionsOf } from '../../app/pipeline/delivery-topology.js';
import { ConfigError } from '../../state/index.js';

describe('delivery settings', () => {
  it('default to a time budget of a day, no attempts cap and a one-minute back-off cap', () => {
    const options = deliveryOptionsOf(loadConfig({ env: {} }));
    expect(options.defaultMaxAttempts).toBeUndefined();
    expect(options.maxRetryDurationMs).toBe(86_400_000);
    expect(options.backoff?.maxMs).toBe(60_000);
    expect(options.laneWindow).toBe(8);
  });

  it('reach the stage as set', () => {
    const options = deliveryOptionsOf(
      loadConfig({
        env: {
          DELIVERY_MAX_ATTEMPTS: '5',
          DELIVERY_MAX_RETRY_DURATION_MS: '7200000',
          DELIVERY_MAX_BACKOFF_MS: '30000',
        },
      }),
    );
    expect(options).toMatchObject({
      defaultMaxAttempts: 5,
      maxRetryDurationMs: 7_200_000,
      backoff: { maxMs: 30_000 },
    });
  });

  it('refuse nonsense at start, naming the setting', () => {
    let error: unknown;
    try {
      loadConfig({ env: { DELIVERY_MAX_RETRY_DURATION_MS: 'soon', DELIVERY_MAX_BACKOFF_MS: '0' } });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => i.setting)).toEqual([
      'DELIVERY_MAX_RETRY_DURATION_MS',
      'DELIVERY_MAX_BACKOFF_MS',
    ]);
    expect((error as Error).message).toContain('DELIVERY_MAX_BACKOFF_MS');
  });
});
