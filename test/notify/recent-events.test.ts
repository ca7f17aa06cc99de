import { describe, expect, it } from 'vitest';
import { findRecent, rememberRecent } from '../../processors/notify/recent-events.js';

describe('recent event digests', () => {
  it('finds what was remembered and keeps at least the newest entries', () => {
    let s = '';
    for (let i = 1; i <= 1000; i++) s = rememberRecent(s, `d${String(i).padStart(15, '0')}`, i, 10);
    expect(findRecent(s, `d${String(1000).padStart(15, '0')}`)).toBe(1000);
    expect(findRecent(s, `d${String(991).padStart(15, '0')}`)).toBe(991);
    expect(findRecent(s, `d${String(1).padStart(15, '0')}`)).toBeUndefined();
    expect(s.length).toBeLessThanOrEqual(10 * 2 * 34 + 34);
  });

  it('remembers nothing with a limit of zero', () => {
    expect(rememberRecent('', 'abc', 1, 0)).toBe('');
  });
});
