import { unescapeValue } from '../criteria/escape.js';
import type { ParamCompileInput, TypedValue, ValueTest } from '../types.js';
import { normalizeText, searchableStrings } from './text.js';
import { unsupportedModifier } from './token.js';

function strings(values: TypedValue[]): string[] {
  return values.flatMap((v) => searchableStrings(v.type, v.value));
}

/**
 * String search (FHIR search, "string"): by default case- and accent-insensitive starts-with;
 * `:exact` is exact, case and accents included; `:contains` is insensitive anywhere.
 */
export function compileString(input: ParamCompileInput): ValueTest {
  const raw = input.values.map(unescapeValue);
  switch (input.modifier) {
    case undefined: {
      const qs = raw.map(normalizeText);
      return { test: (vs) => strings(vs).some((s) => qs.some((q) => normalizeText(s).startsWith(q))) };
    }
    case 'contains': {
      const qs = raw.map(normalizeText);
      return { test: (vs) => strings(vs).some((s) => qs.some((q) => normalizeText(s).includes(q))) };
    }
    case 'exact':
      return { test: (vs) => strings(vs).some((s) => raw.includes(s)) };
    case 'text': {
      const qs = raw.map(normalizeText);
      return { test: (vs) => strings(vs).some((s) => qs.some((q) => normalizeText(s).includes(q))) };
    }
    default:
      throw unsupportedModifier(input.name, input.modifier, 'string');
  }
}
