import { unescapeValue } from '../criteria/escape.js';
import type { IndexSpace, ParamCompileInput, TypedValue, ValueTest } from '../types.js';
import { unsupportedModifier } from './token.js';

function uris(values: TypedValue[]): string[] {
  return values.map((v) => v.value).filter((v): v is string => typeof v === 'string');
}

const spaces = new Map<string, IndexSpace>();

function uriSpace(input: ParamCompileInput): IndexSpace {
  const key = `uri:${input.extractor.key}`;
  let space = spaces.get(key);
  if (!space) {
    space = { key, extractor: input.extractor, keysOf: uris };
    spaces.set(key, space);
  }
  return space;
}

/**
 * URI search (FHIR search, "uri"): exact by default; `:below` matches targets the value is a
 * prefix of, `:above` targets that are a prefix of the value; `:contains` anywhere.
 */
export function compileUri(input: ParamCompileInput): ValueTest {
  const qs = input.values.map(unescapeValue);
  switch (input.modifier) {
    case undefined:
      return {
        test: (vs) => uris(vs).some((u) => qs.includes(u)),
        index: { space: uriSpace(input), keys: qs },
      };
    case 'below':
      return { test: (vs) => uris(vs).some((u) => qs.some((q) => u.startsWith(q))) };
    case 'above':
      return { test: (vs) => uris(vs).some((u) => qs.some((q) => q.startsWith(u))) };
    case 'contains':
      return { test: (vs) => uris(vs).some((u) => qs.some((q) => u.includes(q))) };
    default:
      throw unsupportedModifier(input.name, input.modifier, 'uri');
  }
}
