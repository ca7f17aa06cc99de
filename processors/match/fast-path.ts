import type { FhirResource } from '../contracts.js';
import type { FhirVersion } from '../subscription/index.js';
import { modelFor } from './definitions/fhir-model.js';
import type { TypedValue } from './types.js';

/**
 * Most search parameter expressions are plain member paths (`Observation.code`,
 * `(Condition.onset as dateTime)`, `Observation.subject.where(resolve() is Patient)`). They are
 * read here straight from the JSON, typed from fhirpath's own model, at a fraction of the cost of
 * a general FHIRPath evaluation; everything else goes to fhirpath. Tests check both give the
 * same values and types.
 */
export type PathReader = (resource: FhirResource) => TypedValue[];

/** A reader with what it reads: two expressions with the same signature read the same values. */
export interface CompiledPath {
  read: PathReader;
  signature: string;
}

interface Step {
  /** JSON keys to read at this step with the FHIR type each yields (several for a choice). */
  keys: [string, string][];
}

const PRIMITIVES = new Set([
  'boolean',
  'integer',
  'string',
  'decimal',
  'uri',
  'url',
  'canonical',
  'base64Binary',
  'instant',
  'date',
  'dateTime',
  'time',
  'code',
  'oid',
  'id',
  'markdown',
  'unsignedInt',
  'positiveInt',
  'uuid',
  'integer64',
]);

/** Choice suffixes are capitalised (`DateTime`); the data type is `dateTime`. */
function choiceType(suffix: string): string {
  const lower = suffix[0]!.toLowerCase() + suffix.slice(1);
  return PRIMITIVES.has(lower) ? lower : suffix;
}

const PATH =
  /^([A-Z][A-Za-z]+)((?:\.[a-z][A-Za-z0-9]*)+)(?:\s+as\s+([A-Za-z]+)|\.as\(([A-Za-z]+)\)|\.ofType\(([A-Za-z]+)\)|\.where\(resolve\(\)\s+is\s+([A-Z][A-Za-z]+)\))?$/;

function stripParens(text: string): string {
  let t = text.trim();
  while (t.startsWith('(') && t.endsWith(')') && balanced(t.slice(1, -1))) t = t.slice(1, -1).trim();
  return t;
}

function balanced(text: string): boolean {
  let depth = 0;
  for (const c of text) {
    if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

/** A reader for one union part, or undefined when the part is not a plain path. */
function compilePart(part: string, version: FhirVersion, resourceType: string): CompiledPath | undefined {
  const m = PATH.exec(stripParens(part));
  if (!m) return undefined;
  const [, head, members, asType, asCall, ofType, resolveIs] = m;
  const model = modelFor(version);
  const path2Type = model.path2Type as Record<string, string>;
  const choices = model.choiceTypePaths as Record<string, string[]>;
  if (head !== resourceType && head !== 'Resource' && head !== 'DomainResource')
    return { read: () => [], signature: '' };
  const names = members!.slice(1).split('.');
  const steps: Step[] = [];
  let base = head!;
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const path = `${base}.${name}`;
    const type = path2Type[path];
    if (type !== undefined) {
      steps.push({ keys: [[name, type]] });
      base = type === 'BackboneElement' || type === 'Element' ? path : type;
    } else if (choices[path] && i === names.length - 1) {
      steps.push({ keys: choices[path]!.map((suffix) => [`${name}${suffix}`, choiceType(suffix)]) });
    } else {
      return undefined;
    }
  }
  const restrict = asType ?? asCall ?? ofType;
  if (restrict) {
    const last = steps[steps.length - 1]!;
    last.keys = last.keys.filter(([, type]) => type.toLowerCase() === restrict.toLowerCase());
    if (last.keys.length === 0) return { read: () => [], signature: '' };
  }
  const signature = `${JSON.stringify(steps.map((step) => step.keys))}${resolveIs ? `@${resolveIs}` : ''}`;
  if (steps.length === 1 && steps[0]!.keys.length === 1 && !resolveIs) {
    // The common case (`Observation.code`): one member read straight off the resource.
    const [key, type] = steps[0]!.keys[0]!;
    const single: PathReader = (resource) => {
      const v = (resource as Record<string, unknown>)[key];
      if (v === undefined || v === null) return [];
      if (!Array.isArray(v)) return [{ type, value: v }];
      const out: TypedValue[] = [];
      for (const item of v) if (item !== null && item !== undefined) out.push({ type, value: item });
      return out;
    };
    return { read: single, signature };
  }
  const read: PathReader = (resource) => {
    let current: unknown[] = [resource];
    let typed: TypedValue[] = [];
    for (let s = 0; s < steps.length; s++) {
      const keys = steps[s]!.keys;
      const lastStep = s === steps.length - 1;
      const next: unknown[] = [];
      for (const node of current) {
        if (node === null || typeof node !== 'object') continue;
        for (const [key, type] of keys) {
          const v = (node as Record<string, unknown>)[key];
          if (v === undefined || v === null) continue;
          if (Array.isArray(v)) {
            for (const item of v) {
              if (item === null || item === undefined) continue;
              if (lastStep) typed.push({ type, value: item });
              else next.push(item);
            }
          } else if (lastStep) typed.push({ type, value: v });
          else next.push(v);
        }
      }
      current = next;
    }
    if (resolveIs) typed = typed.filter((t) => referenceTypeOf(t.value) === resolveIs);
    return typed;
  };
  return { read, signature };
}

function referenceTypeOf(reference: unknown): string | undefined {
  if (reference === null || typeof reference !== 'object') return undefined;
  const r = reference as { reference?: unknown; type?: unknown };
  if (typeof r.type === 'string') return r.type;
  if (typeof r.reference !== 'string') return undefined;
  const parts = r.reference.split('/_history/')[0]!.split('?')[0]!.split('/');
  return parts.length >= 2 ? parts[parts.length - 2] : undefined;
}

/** A reader for a whole union expression when every part is a plain path. */
export function compilePathReader(
  parts: readonly string[],
  version: FhirVersion,
  resourceType: string,
): CompiledPath | undefined {
  const compiled: CompiledPath[] = [];
  for (const part of parts) {
    const c = compilePart(part, version, resourceType);
    if (!c) return undefined;
    if (c.signature !== '') compiled.push(c);
  }
  const signature = compiled.map((c) => c.signature).join('|');
  if (compiled.length === 0) return { read: () => [], signature };
  if (compiled.length === 1) return compiled[0]!;
  const readers = compiled.map((c) => c.read);
  return { read: (resource) => readers.flatMap((read) => read(resource)), signature };
}

export { referenceTypeOf };
