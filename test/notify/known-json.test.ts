import { describe, expect, it } from 'vitest';
import { knownJson, lazyJson, rememberJson, stringifyWithKnown } from '../../processors/index.js';

describe('stringifyWithKnown', () => {
  it('gives JSON.stringify output, with remembered text spliced where the object is', () => {
    const a = { resourceType: 'Patient', id: 'p1', name: [{ family: 'Ünïcode "quoted"' }] };
    const b = { resourceType: 'Observation', id: 'o1', note: [{ text: 'line\nbreak' }] };
    rememberJson(a, JSON.stringify(a));
    rememberJson(b, JSON.stringify(b));
    const deep = { l1: { l2: { l3: { l4: { l5: a } } } } };
    const values: unknown[] = [
      a,
      {
        entry: [
          { fullUrl: 'x', resource: a },
          { resource: b, undefinedKey: undefined },
        ],
        when: new Date(0),
      },
      [a, b, a, null, 1, 'text'],
      deep,
      'plain',
      null,
    ];
    for (const v of values) expect(stringifyWithKnown(v)).toBe(JSON.stringify(v));
  });

  it('uses the remembered text as it is', () => {
    const r = { resourceType: 'Basic', id: 'b' };
    rememberJson(r, '{"resourceType":"Basic","id":"b"}');
    expect(stringifyWithKnown({ entry: [{ resource: r }] })).toBe(
      '{"entry":[{"resource":{"resourceType":"Basic","id":"b"}}]}',
    );
  });
});

describe('lazyJson', () => {
  const resource = { resourceType: 'Observation', id: 'o1', '1': 'digit key', note: [{ text: 'ü "q"' }] };
  const text = JSON.stringify(resource);

  it('parses on first use only, then reads as the parsed object', () => {
    let parses = 0;
    const lazy = lazyJson(() => (parses++, JSON.parse(text) as typeof resource), text);
    expect(stringifyWithKnown({ entry: [{ resource: lazy }] })).toBe(
      JSON.stringify({ entry: [{ resource }] }),
    );
    expect(parses).toBe(0);
    expect(lazy.id).toBe('o1');
    expect(parses).toBe(1);
    expect(Object.keys(lazy)).toEqual(Object.keys(resource));
    expect('note' in lazy).toBe(true);
    expect({ ...lazy }).toEqual(resource);
    expect(JSON.stringify(lazy)).toBe(text);
    expect(lazy).toEqual(resource);
    expect(parses).toBe(1);
  });

  it('gives the same JSON as the parsed object through every first use', () => {
    const uses: ((o: object) => unknown)[] = [
      (o) => JSON.stringify(o),
      (o) => JSON.stringify({ ...o }),
      (o) => JSON.stringify(Object.entries(o)),
      (o) => stringifyWithKnown({ a: [o] }),
      (o) => stringifyWithKnown(o),
      (o) => knownJson(o),
      (o) => [(o as { id?: string }).id, knownJson(o), stringifyWithKnown({ a: o })],
    ];
    for (const use of uses) {
      expect(use(lazyJson(() => JSON.parse(text) as object))).toEqual(use(JSON.parse(text) as object));
    }
  });

  it('keeps a __proto__ key of the JSON a property', () => {
    const json = '{"resourceType":"Basic","__proto__":{"polluted":true}}';
    const lazy = lazyJson(() => JSON.parse(json) as Record<string, unknown>);
    expect(JSON.stringify(lazy)).toBe(json);
    expect(Object.getPrototypeOf(lazy)).toBe(Object.prototype);
    expect((lazy as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('throws what parse throws, on every use', () => {
    const lazy = lazyJson<{ id?: string }>(() => JSON.parse('{"id":') as { id?: string });
    expect(() => lazy.id).toThrow(SyntaxError);
    expect(() => lazy.id).toThrow(SyntaxError);
    expect(() => JSON.stringify(lazy)).toThrow(SyntaxError);
  });
});
