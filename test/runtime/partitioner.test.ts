import { createRequire } from 'node:module';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { murmur2 } from '../../topology/index.js';

// kafkajs' own murmur2 (the Java client's), to check the embedded log partitions like Kafka.
const kafkajsMurmur2 = createRequire(import.meta.url)(
  'kafkajs/src/producer/partitioners/default/murmur2.js',
) as (key: Buffer) => number;

it('hashes keys exactly as the Kafka default partitioner does', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      const key = Buffer.from(bytes);
      expect(murmur2(key)).toBe(kafkajsMurmur2(key));
    }),
  );
  expect(murmur2(Buffer.from('Patient/123'))).toBe(kafkajsMurmur2(Buffer.from('Patient/123')));
});
