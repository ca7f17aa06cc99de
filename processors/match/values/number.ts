import { unescapeValue } from '../criteria/escape.js';
import type { ParamCompileInput, TypedValue, ValueTest } from '../types.js';
import { malformed, splitPrefix, type Prefix, type Range } from './prefix.js';

const NUMBER = /^([+-]?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

export interface NumberQuery {
  prefix: Prefix;
  value: number;
  /** The values the search value stands for at its precision: `100` is [99.5, 100.5). */
  range: Range;
}

export function parseNumber(text: string): { value: number; range: Range } | undefined {
  const m = NUMBER.exec(text);
  if (!m) return undefined;
  const decimals = m[3]?.length ?? 0;
  const exponent = Number(m[4] ?? 0);
  const value = Number(text);
  const half = 0.5 * 10 ** (exponent - decimals);
  return { value, range: { lo: value - half, hi: value + half } };
}

export function parseNumberQuery(raw: string, name: string): NumberQuery {
  const { prefix, rest } = splitPrefix(unescapeValue(raw));
  const parsed = parseNumber(rest);
  if (!parsed) throw malformed(name, raw, 'a number with an optional prefix');
  return { prefix, ...parsed };
}

/** Number prefixes compare the target with the value; eq and ne use the precision range. */
export function compareNumber(q: NumberQuery, target: number): boolean {
  switch (q.prefix) {
    case 'eq':
      return target >= q.range.lo && target < q.range.hi;
    case 'ne':
      return !(target >= q.range.lo && target < q.range.hi);
    case 'gt':
    case 'sa':
      return target > q.value;
    case 'lt':
    case 'eb':
      return target < q.value;
    case 'ge':
      return target >= q.value;
    case 'le':
      return target <= q.value;
    case 'ap':
      return Math.abs(target - q.value) <= Math.abs(q.value) * 0.1;
  }
}

export function numericValue(t: TypedValue): number | undefined {
  const v = t.value;
  if (typeof v === 'number') return v;
  if (v !== null && typeof v === 'object' && typeof (v as { value?: unknown }).value === 'number') {
    return (v as { value: number }).value;
  }
  return undefined;
}

export function compileNumber(input: ParamCompileInput): ValueTest {
  const queries = input.values.map((v) => parseNumberQuery(v, input.name));
  return {
    test: (vs) =>
      vs.some((v) => {
        const n = numericValue(v);
        return n !== undefined && queries.some((q) => compareNumber(q, n));
      }),
  };
}
