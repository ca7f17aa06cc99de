import { CompileError } from '../../../state/index.js';
import { splitUnescaped, unescapeValue } from '../criteria/escape.js';
import {
  derived,
  derivedSlot,
  type IndexSpace,
  type ParamCompileInput,
  type TypedValue,
  type ValueTest,
} from '../types.js';
import { normalizeText } from './text.js';

/** A token as the resource carries it: a system (absent when the data type has none) and a code. */
interface TokenItem {
  system: string | undefined;
  code: string;
  /** A primitive (code, string, uri, boolean...): its system is implied by its binding. */
  implicit?: true;
}

interface Obj {
  [k: string]: unknown;
}

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object';
const s = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function coding(v: unknown): TokenItem[] {
  if (!isObj(v) || typeof v.code !== 'string') return [];
  return [{ system: s(v.system), code: v.code }];
}

/** What each data type offers a token search (FHIR search, "token" table). */
export function tokenItems(t: TypedValue): TokenItem[] {
  const v = t.value;
  switch (t.type) {
    case 'Coding':
      return coding(v);
    case 'CodeableConcept':
    case 'CodeableReference': {
      const concept = t.type === 'CodeableReference' && isObj(v) ? v.concept : v;
      return isObj(concept) && Array.isArray(concept.coding) ? concept.coding.flatMap(coding) : [];
    }
    case 'Identifier':
      if (!isObj(v) || typeof v.value !== 'string') return [];
      return [{ system: s(v.system), code: v.value }];
    case 'ContactPoint':
      return isObj(v) && typeof v.value === 'string' ? [{ system: undefined, code: v.value }] : [];
    default:
      if (typeof v === 'string') return [{ system: undefined, code: v, implicit: true }];
      if (typeof v === 'boolean' || typeof v === 'number')
        return [{ system: undefined, code: String(v), implicit: true }];
      return [];
  }
}

/** The text a `:text` search reads: CodeableConcept.text, Coding.display, Identifier.type.text. */
function tokenTexts(t: TypedValue): string[] {
  const v = t.value;
  if (!isObj(v)) return [];
  const out: string[] = [];
  const concept = t.type === 'CodeableReference' ? v.concept : v;
  if (isObj(concept)) {
    if (typeof concept.text === 'string') out.push(concept.text);
    if (Array.isArray(concept.coding)) {
      for (const c of concept.coding) if (isObj(c) && typeof c.display === 'string') out.push(c.display);
    }
  }
  if (typeof v.display === 'string') out.push(v.display);
  if (t.type === 'Identifier' && isObj(v.type) && typeof v.type.text === 'string') out.push(v.type.text);
  return out;
}

export interface TokenQuery {
  /** undefined: any system; '': no system. */
  system?: string;
  /** undefined: any code (`system|`). */
  code?: string;
}

export function parseToken(raw: string, where: string): TokenQuery {
  const parts = splitUnescaped(raw, '|');
  if (parts.length === 1) {
    if (raw === '') throw new CompileError(`${where}: empty token`, { context: { parameter: where } });
    return { code: unescapeValue(raw) };
  }
  if (parts.length !== 2 || (parts[0] === '' && parts[1] === '')) {
    throw new CompileError(`${where}: '${raw}' is not [system]|[code]`, { context: { parameter: where } });
  }
  return { system: unescapeValue(parts[0]!), ...(parts[1] !== '' ? { code: unescapeValue(parts[1]!) } : {}) };
}

function itemMatches(item: TokenItem, q: TokenQuery): boolean {
  if (q.code !== undefined && item.code !== q.code) return false;
  if (q.system === undefined) return true;
  if (q.system === '') return item.system === undefined;
  // A primitive code's system is implicit (its binding): `system|code` compares the code.
  if (item.implicit) return q.code !== undefined;
  return item.system === q.system;
}

/** Index keys: a query is filed under one key, a resource item answers to all the forms it matches. */
function queryKey(q: TokenQuery): string {
  if (q.code === undefined) return `${q.system}|*`;
  if (q.system === undefined) return `*|${q.code}`;
  return `${q.system}|${q.code}`;
}

function pushItemKeys(item: TokenItem, keys: string[]): void {
  keys.push(`*|${item.code}`);
  if (item.system === undefined) {
    keys.push(`|${item.code}`);
    if (item.implicit) keys.push(`~|${item.code}`);
  } else {
    keys.push(`${item.system}|${item.code}`, `${item.system}|*`);
  }
}

const spaces = new Map<string, IndexSpace>();

export function tokenSpace(input: Pick<ParamCompileInput, 'extractor'>): IndexSpace {
  const key = `token:${input.extractor.key}`;
  let space = spaces.get(key);
  if (!space) {
    space = {
      key,
      extractor: input.extractor,
      keysOf: (values) => {
        const keys: string[] = [];
        for (const item of itemsOf(values)) pushItemKeys(item, keys);
        return keys;
      },
    };
    spaces.set(key, space);
  }
  return space;
}

const items = derivedSlot<TokenItem[]>('token items');

function itemsOf(values: TypedValue[]): TokenItem[] {
  return derived(items, values, (vs) => vs.flatMap(tokenItems));
}

function matchesAny(values: TypedValue[], queries: TokenQuery[]): boolean {
  for (const item of itemsOf(values)) for (const q of queries) if (itemMatches(item, q)) return true;
  return false;
}

/** Token tests: plain, `:not`, `:text`, `:of-type`, `:code-text` (FHIR search, "token"). */
export function compileToken(input: ParamCompileInput): ValueTest {
  const { name, modifier, values } = input;
  switch (modifier) {
    case undefined: {
      const queries = values.map((v) => parseToken(v, name));
      // A primitive code also answers `system|code` (see itemMatches): it is filed under `~|code` too.
      const keys = queries.flatMap((q) =>
        q.system && q.code !== undefined ? [queryKey(q), `~|${q.code}`] : [queryKey(q)],
      );
      return { test: (vs) => matchesAny(vs, queries), index: { space: tokenSpace(input), keys } };
    }
    case 'not': {
      const queries = values.map((v) => parseToken(v, name));
      return { test: (vs) => !matchesAny(vs, queries) };
    }
    case 'text': {
      const texts = values.map((v) => normalizeText(unescapeValue(v)));
      return {
        test: (vs) =>
          vs.some((v) => tokenTexts(v).some((t) => texts.some((q) => normalizeText(t).startsWith(q)))),
      };
    }
    case 'code-text': {
      const texts = values.map((v) => normalizeText(unescapeValue(v)));
      return {
        test: (vs) =>
          vs.some((v) => tokenItems(v).some((i) => texts.some((q) => normalizeText(i.code).startsWith(q)))),
      };
    }
    case 'of-type': {
      const queries = values.map((v) => {
        const parts = splitUnescaped(v, '|').map(unescapeValue);
        if (parts.length !== 3 || parts.some((p) => p === '')) {
          throw new CompileError(`${name}: '${v}' is not [type-system]|[type-code]|[value]`, {
            context: { parameter: name },
          });
        }
        return { system: parts[0]!, code: parts[1]!, value: parts[2]! };
      });
      return {
        test: (vs) =>
          vs.some((v) => {
            if (v.type !== 'Identifier' || !isObj(v.value)) return false;
            const id = v.value;
            const types = tokenItems({ type: 'CodeableConcept', value: id.type });
            return queries.some(
              (q) => id.value === q.value && types.some((t) => t.system === q.system && t.code === q.code),
            );
          }),
      };
    }
    default:
      throw unsupportedModifier(name, modifier, 'token');
  }
}

export function unsupportedModifier(name: string, modifier: string, type: string): CompileError {
  const reason =
    modifier === 'in' || modifier === 'not-in' || modifier === 'above' || modifier === 'below'
      ? 'needs a terminology service, which substream does not have'
      : `is not a modifier of ${type} parameters`;
  return new CompileError(`${name}: modifier ':${modifier}' ${reason}`, {
    context: { parameter: name, modifier },
  });
}
