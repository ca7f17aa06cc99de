import { describe, expect, it } from 'vitest';
import { parseDecodeConfig, parseNotifyConfig, parseVersionsConfig } from '../../processors/index.js';
import { ConfigError } from '../../state/index.js';

describe('stage settings', () => {
  it('fills defaults', () => {
    expect(parseDecodeConfig({})).toMatchObject({
      defaultFormat: 'auto',
      tenantHeader: 'tenant',
      topicFormats: {},
    });
    expect(parseVersionsConfig(undefined).tombstoneRetentionMs).toBe(24 * 3600_000);
    expect(parseNotifyConfig({ baseUrl: 'https://fhir.test/r4' })).toMatchObject({
      failureThreshold: 3,
      outputTopics: { 'rest-hook': 'fhir.notifications.rest-hook', kafka: 'fhir.notifications.kafka' },
    });
  });

  it('names every bad setting at once', () => {
    let error: unknown;
    try {
      parseNotifyConfig({ baseUrl: 'nope', failureThreshold: 0 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => i.setting)).toEqual([
      'notify.baseUrl',
      'notify.failureThreshold',
    ]);
    expect(() => parseDecodeConfig({ topicFormats: { a: 'xml' } })).toThrow(/decode\.topicFormats\.a/);
  });
});
