import { describe, expect, it } from 'vitest';
import { HeldOutputs } from '../../app/pipeline/held-outputs.js';

describe('HeldOutputs', () => {
  it('forwards what it holds in order, on flush only', async () => {
    const forwarded: number[] = [];
    const held = new HeldOutputs<number>(
      async (n) => void forwarded.push(n),
      () => '10',
    );
    held.add(1);
    held.add(2);
    expect(forwarded).toEqual([]);
    expect(held.size).toBe(2);
    await held.flush();
    held.add(3);
    await held.flush();
    expect(forwarded).toEqual([1, 2, 3]);
    expect(held.size).toBe(0);
  });

  it('reports the barrier of the last flush while outputs are held', async () => {
    let barrier: string | undefined;
    const held = new HeldOutputs<number>(
      async () => undefined,
      () => barrier,
    );
    expect(held.committableOffset()).toBeUndefined();
    barrier = '5';
    held.add(1);
    // The processor moved its barrier past the record whose output is still held.
    expect(held.committableOffset()).toBeUndefined();
    await held.flush();
    barrier = '8';
    held.add(2);
    expect(held.committableOffset()).toBe('5');
    await held.flush();
    // Nothing held: the processor's barrier as it is.
    barrier = '9';
    expect(held.committableOffset()).toBe('9');
  });

  it('keeps the order of flushes that overlap, and the barrier back until they are done', async () => {
    const forwarded: number[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let barrier = '3';
    const held = new HeldOutputs<number>(
      async (n) => {
        if (n === 1) await gate;
        forwarded.push(n);
      },
      () => barrier,
    );
    held.add(1);
    const first = held.flush();
    barrier = '4';
    held.add(2);
    const second = held.flush();
    expect(held.committableOffset()).toBeUndefined();
    release();
    await Promise.all([first, second]);
    expect(forwarded).toEqual([1, 2]);
    expect(held.committableOffset()).toBe('4');
  });

  it('reports no later barrier once a flush failed', async () => {
    let barrier = '2';
    const held = new HeldOutputs<number>(
      async (n) => {
        if (n === 2) throw new Error('output refused');
      },
      () => barrier,
    );
    held.add(1);
    await held.flush();
    barrier = '6';
    held.add(2);
    await expect(held.flush()).rejects.toThrow('output refused');
    expect(held.committableOffset()).toBe('2');
    held.add(3);
    await expect(held.flush()).rejects.toThrow('earlier flush');
    expect(held.committableOffset()).toBe('2');
  });
});
