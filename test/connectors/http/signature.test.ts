import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signPayload, verifySignature } from '../../../connectors/index.js';

describe('request signature', () => {
  it('is HMAC-SHA256 over "<timestamp>.<body>"', () => {
    const expected = createHmac('sha256', 's3cret').update('1767225600.{"a":1}').digest('hex');
    expect(signPayload('s3cret', 1767225600, '{"a":1}')).toBe(`v1=${expected}`);
  });

  it('verifies fresh signatures and refuses replays, tampering and wrong secrets', () => {
    const signature = signPayload('s3cret', 1000, 'body');
    const headers = { timestamp: '1000', signature };
    expect(verifySignature('s3cret', headers, 'body', { nowSeconds: 1010 })).toBe(true);
    expect(verifySignature('s3cret', headers, 'body', { nowSeconds: 2000 })).toBe(false);
    expect(verifySignature('s3cret', headers, 'b0dy', { nowSeconds: 1010 })).toBe(false);
    expect(verifySignature('other', headers, 'body', { nowSeconds: 1010 })).toBe(false);
    expect(verifySignature('s3cret', { timestamp: '1001', signature }, 'body', { nowSeconds: 1010 })).toBe(
      false,
    );
  });
});
