import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { KafkaTransport, nativeCrcInstalled } from '../../../connectors/index.js';
import { KAFKAJS_CRC_MODULE, nativeCrc32c } from '../../../connectors/kafka/native-crc.js';

const require = createRequire(import.meta.url);

describe('native CRC-32C for kafkajs', () => {
  it('is the function kafkajs loads, once the transport is imported', () => {
    expect(KafkaTransport).toBeDefined();
    expect(nativeCrcInstalled).toBe(true);
    expect(require(KAFKAJS_CRC_MODULE)).toBe(nativeCrc32c);
  });

  it('computes what kafkajs computes', () => {
    // kafkajs's own table-driven function, loaded beside the cached module.
    const tableDriven = require(KAFKAJS_CRC_MODULE.replace(/index\.js$/, 'crc32C.js')) as (
      b: Buffer,
    ) => number;
    for (const size of [0, 1, 7, 64, 1024, 65_537]) {
      const buffer = randomBytes(size);
      expect(nativeCrc32c(buffer)).toBe(tableDriven(buffer) >>> 0);
    }
  });
});
