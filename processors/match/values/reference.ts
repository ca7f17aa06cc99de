import { CompileError } from '../../../state/index.js';
import { unescapeValue } from '../criteria/escape.js';
import {
  derived,
  derivedSlot,
  type IndexSpace,
  type ParamCompileInput,
  type TypedValue,
  type ValueTest,
} from '../types.js';
import { normalizeText } from './text.js';
import { compileToken, unsupportedModifier } from './token.js';

/** A reference as written, taken apart: `Type/id[/_history/v]`, an absolute URL, a canonical. */
export interface ParsedReference {
  /** The URL without version (absolute only). */
  url?: string;
  type?: string;
  id?: string;
  version?: string | undefined;
  absolute: boolean;
}

const RELATIVE = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/([A-Za-z0-9\-.]{1,64}))?$/;

export function parseReference(text: string): ParsedReference | undefined {
  const rel = RELATIVE.exec(text);
  if (rel) return { type: rel[1]!, id: rel[2]!, version: rel[3], absolute: false };
  if (!/^[a-z][a-z0-9+.-]*:/i.test(text)) return undefined;
  // A canonical's version (`url|1.0`) or a literal's history both qualify the same resource.
  const [withoutPipe, pipeVersion] = text.split('|', 2) as [string, string | undefined];
  const [url, historyVersion] = withoutPipe.split('/_history/', 2) as [string, string | undefined];
  const tail = /\/([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(url);
  const version = pipeVersion ?? historyVersion;
  return {
    url,
    ...(tail ? { type: tail[1]!, id: tail[2]! } : {}),
    ...(version ? { version } : {}),
    absolute: true,
  };
}

interface Target {
  ref?: ParsedReference;
  display?: string;
}

const parsedTargets = derivedSlot<Target[]>('reference targets');

function targets(values: TypedValue[]): Target[] {
  return derived(parsedTargets, values, parseTargets);
}

function parseTargets(values: TypedValue[]): Target[] {
  const out: Target[] = [];
  for (const t of values) {
    let v = t.value;
    if (t.type === 'CodeableReference' && v !== null && typeof v === 'object')
      v = (v as { reference?: unknown }).reference;
    if (typeof v === 'string') {
      const ref = parseReference(v);
      if (ref) out.push({ ref });
    } else if (v !== null && typeof v === 'object') {
      const r = v as { reference?: unknown; display?: unknown };
      const ref = typeof r.reference === 'string' ? parseReference(r.reference) : undefined;
      out.push({ ...(ref ? { ref } : {}), ...(typeof r.display === 'string' ? { display: r.display } : {}) });
    }
  }
  return out;
}

type Query =
  | { kind: 'id'; id: string }
  | { kind: 'relative'; type: string; id: string; version?: string }
  | { kind: 'absolute'; url: string; version?: string };

function parseQuery(raw: string, name: string, typeModifier?: string): Query {
  const value = unescapeValue(raw);
  if (typeModifier) {
    if (!/^[A-Za-z0-9\-.]{1,64}$/.test(value)) {
      throw new CompileError(`${name}: '${value}' is not a resource id`, { context: { parameter: name } });
    }
    return { kind: 'relative', type: typeModifier, id: value };
  }
  if (/^[A-Za-z0-9\-.]{1,64}$/.test(value)) return { kind: 'id', id: value };
  const parsed = parseReference(value);
  if (!parsed) {
    throw new CompileError(`${name}: '${value}' is not a reference ([type]/[id], [id] or an absolute URL)`, {
      context: { parameter: name },
    });
  }
  if (parsed.absolute)
    return { kind: 'absolute', url: parsed.url!, ...(parsed.version ? { version: parsed.version } : {}) };
  return {
    kind: 'relative',
    type: parsed.type!,
    id: parsed.id!,
    ...(parsed.version ? { version: parsed.version } : {}),
  };
}

function queryKey(q: Query): string {
  switch (q.kind) {
    case 'id':
      return `id:${q.id}`;
    case 'relative':
      return `ref:${q.type}/${q.id}`;
    case 'absolute':
      return `url:${q.url}`;
  }
}

function pushTargetKeys(t: Target, keys: string[]): void {
  const r = t.ref;
  if (!r) return;
  if (r.id) keys.push(`id:${r.id}`);
  if (r.absolute) keys.push(`url:${r.url}`);
  else keys.push(`ref:${r.type}/${r.id}`);
}

function targetKeys(values: TypedValue[]): string[] {
  const keys: string[] = [];
  for (const t of targets(values)) pushTargetKeys(t, keys);
  return keys;
}

function refMatches(r: ParsedReference, q: Query): boolean {
  switch (q.kind) {
    case 'id':
      return r.id === q.id;
    case 'relative':
      return (
        !r.absolute &&
        r.type === q.type &&
        r.id === q.id &&
        (q.version === undefined || r.version === q.version)
      );
    case 'absolute':
      return r.absolute && r.url === q.url && (q.version === undefined || r.version === q.version);
  }
}

const spaces = new Map<string, IndexSpace>();

function referenceSpace(input: ParamCompileInput): IndexSpace {
  const key = `reference:${input.extractor.key}`;
  let space = spaces.get(key);
  if (!space) {
    space = { key, extractor: input.extractor, keysOf: targetKeys };
    spaces.set(key, space);
  }
  return space;
}

/**
 * Reference search (FHIR search, "reference"): `[type]/[id]`, `[id]` alone, absolute URLs and
 * canonicals with `|version`; `:[type]`, `:identifier` and `:text` modifiers.
 */
export function compileReference(input: ParamCompileInput): ValueTest {
  const { modifier, name } = input;
  if (modifier === 'identifier') {
    const extractor = identifierOf(input);
    return { ...compileToken({ ...input, modifier: undefined, extractor }), extractor };
  }
  if (modifier === 'text') {
    const qs = input.values.map((v) => normalizeText(unescapeValue(v)));
    return {
      test: (vs) =>
        targets(vs).some(
          (t) => t.display !== undefined && qs.some((q) => normalizeText(t.display!).startsWith(q)),
        ),
    };
  }
  let typeModifier: string | undefined;
  if (modifier !== undefined) {
    if (!/^[A-Z][A-Za-z]+$/.test(modifier)) throw unsupportedModifier(name, modifier, 'reference');
    const allowed = input.def.target ?? [];
    if (allowed.length > 0 && !allowed.includes(modifier)) {
      throw new CompileError(
        `${name}: ':${modifier}' is not a target type of '${input.def.code}' (${allowed.join(', ')})`,
        {
          context: { parameter: name, modifier },
        },
      );
    }
    typeModifier = modifier;
  }
  const queries = input.values.map((v) => parseQuery(v, name, typeModifier));
  return {
    test: (vs) => targets(vs).some((t) => t.ref !== undefined && queries.some((q) => refMatches(t.ref!, q))),
    index: { space: referenceSpace(input), keys: queries.map(queryKey) },
  };
}

/** Reference.identifier as token values, for `:identifier`. */
function identifierOf(input: ParamCompileInput): ParamCompileInput['extractor'] {
  const inner = input.extractor;
  return {
    key: `${inner.key}#identifier`,
    extract: (resource) =>
      inner
        .extract(resource)
        .map((t) =>
          t.value !== null && typeof t.value === 'object'
            ? (t.value as { identifier?: unknown }).identifier
            : undefined,
        )
        .filter((id) => id !== undefined)
        .map((id) => ({ type: 'Identifier', value: id })),
  };
}
