import { describe, expect, it } from 'vitest';
import { ChangeDecodeError, deadLetterFor, decodeChangeRecord, DLQ_HEADER } from '../../processors/index.js';
import { record } from './helpers.js';

describe('deadLetterFor', () => {
  it('keeps the original key, bytes and headers and adds where from and why', async () => {
    const bad = record('{"nope": true}', {
      key: 'k1',
      partition: 3,
      offset: '77',
      headers: { trace: 'abc' },
    });
    const error = await decodeChangeRecord(bad).then(
      () => {
        throw new Error('expected the record to be rejected');
      },
      (e: unknown) => e,
    );
    if (!(error instanceof ChangeDecodeError)) throw error;
    const dlq = deadLetterFor(bad, error);
    expect(dlq.key).toBe('k1');
    expect(dlq.value).toBe(bad.value);
    expect(dlq.headers).toEqual({
      trace: 'abc',
      [DLQ_HEADER.reason]: 'unknown-format',
      [DLQ_HEADER.message]: error.message,
      [DLQ_HEADER.topic]: 'fhir.changelog',
      [DLQ_HEADER.partition]: '3',
      [DLQ_HEADER.offset]: '77',
    });
  });
});
