import { describe, expect, it } from 'vitest';
import { ownBytes, ownConcat, ownUtf8 } from '../../state/index.js';

const owns = (b: Buffer): boolean => b.byteOffset === 0 && b.length === b.buffer.byteLength;

describe('Buffers that own their memory', () => {
  it('writes text into memory of its exact size', () => {
    const b = ownUtf8('h\u00e9llo');
    expect(b.toString('utf8')).toBe('h\u00e9llo');
    expect(b.length).toBe(6);
    expect(owns(b)).toBe(true);
  });

  it('joins parts into memory of their exact size', () => {
    const b = ownConcat([Buffer.from('ab'), new Uint8Array([0x63]), Buffer.alloc(0)]);
    expect(b.toString('latin1')).toBe('abc');
    expect(owns(b)).toBe(true);
  });

  it('copies a view of shared memory and keeps a Buffer that owns its own', () => {
    const pooled = Buffer.from('short');
    expect(owns(pooled)).toBe(false);
    const copy = ownBytes(pooled);
    expect(copy).not.toBe(pooled);
    expect(copy.equals(pooled)).toBe(true);
    expect(owns(copy)).toBe(true);
    expect(ownBytes(copy)).toBe(copy);
  });
});
