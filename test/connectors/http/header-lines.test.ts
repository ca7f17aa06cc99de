import { describe, expect, it } from 'vitest';
import { parseHeaderLines } from '../../../connectors/index.js';

describe('parseHeaderLines', () => {
  it('splits each line at its first colon only', () => {
    const { headers, rejected } = parseHeaderLines([
      'Authorization: Bearer a:b:c',
      'X-Callback: https://example.org:8443/x?t=10:30',
      'X-Empty:',
    ]);
    expect(headers).toEqual({
      authorization: 'Bearer a:b:c',
      'x-callback': 'https://example.org:8443/x?t=10:30',
      'x-empty': '',
    });
    expect(rejected).toEqual([]);
  });

  it('rejects lines without a name, bad names, control characters and headers the sink owns', () => {
    const { headers, rejected } = parseHeaderLines([
      'no colon here',
      ': value',
      'Bad Name: x',
      'Host: evil.example',
      'X-Substream-Event-Number: 9',
      'X-Ok: fine',
    ]);
    expect(headers).toEqual({ 'x-ok': 'fine' });
    expect(rejected.map((r) => r.reason)).toEqual([
      'no colon',
      'not a header name',
      'not a header name',
      'set by the sink',
      'set by the sink',
    ]);
  });

  it('joins repeated names with a comma', () => {
    expect(parseHeaderLines(['Accept: a', 'accept: b']).headers).toEqual({ accept: 'a, b' });
  });
});
