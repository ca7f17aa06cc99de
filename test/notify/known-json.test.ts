import { describe, expect, it } from 'vitest';
import { rememberJson, stringifyWithKnown } from '../../processors/index.js';

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
