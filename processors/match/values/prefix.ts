import { CompileError } from '../../../state/index.js';

export const PREFIXES = ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap'] as const;
export type Prefix = (typeof PREFIXES)[number];

export function splitPrefix(raw: string): { prefix: Prefix; rest: string } {
  const head = raw.slice(0, 2);
  if ((PREFIXES as readonly string[]).includes(head) && raw.length > 2) {
    return { prefix: head as Prefix, rest: raw.slice(2) };
  }
  return { prefix: 'eq', rest: raw };
}

/** A half-open interval [lo, hi) on a line (milliseconds for dates, numbers otherwise). */
export interface Range {
  lo: number;
  hi: number;
}

/**
 * Compares a target range with a search range as the FHIR search page states it for each prefix
 * ("prefixes": eq = the search range fully contains the target; gt = the range above the search
 * value intersects the target; sa = the target starts after the search range ends...).
 * `apRange` is the search range widened for `ap`.
 */
export function compareRanges(prefix: Prefix, target: Range, search: Range, apRange: Range): boolean {
  const contains = target.lo >= search.lo && target.hi <= search.hi;
  switch (prefix) {
    case 'eq':
      return contains;
    case 'ne':
      return !contains;
    case 'gt':
      return target.hi > search.hi;
    case 'lt':
      return target.lo < search.lo;
    case 'ge':
      return target.hi > search.hi || contains;
    case 'le':
      return target.lo < search.lo || contains;
    case 'sa':
      return target.lo >= search.hi;
    case 'eb':
      return target.hi <= search.lo;
    case 'ap':
      return target.lo < apRange.hi && target.hi > apRange.lo;
  }
}

export function malformed(name: string, raw: string, expected: string): CompileError {
  return new CompileError(`${name}: '${raw}' is not ${expected}`, {
    context: { parameter: name, value: raw },
  });
}
