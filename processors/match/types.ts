import type { FhirResource } from '../contracts.js';
import type { FhirVersion } from '../subscription/index.js';
import type { SearchParameterDefinition, SearchParameterRegistry } from './definitions/search-parameters.js';

/** One value a search parameter expression produced, with its FHIR data type. */
export interface TypedValue {
  /** FHIR type name: `Coding`, `CodeableConcept`, `dateTime`, `Reference`, `string`... */
  type: string;
  value: unknown;
}

/** Reads a search parameter's values from a resource; shared by every criterion on that parameter. */
export interface Extractor {
  readonly key: string;
  extract(resource: FhirResource): TypedValue[];
}

/**
 * One resource being matched: each expression is evaluated at most once however many
 * subscriptions ask for it.
 */
export class ResourceView {
  // Created on first use: many views (previous versions) are never asked anything.
  private memo: Map<string, TypedValue[]> | undefined;
  private keyMemo: Map<string, string[]> | undefined;

  constructor(readonly resource: FhirResource) {}

  /** The resource's keys in an index space, computed once per resource. */
  keys(space: IndexSpace): string[] {
    this.keyMemo ??= new Map();
    let keys = this.keyMemo.get(space.key);
    if (!keys) {
      keys = space.keysOf(this.values(space.extractor));
      this.keyMemo.set(space.key, keys);
    }
    return keys;
  }

  values(extractor: Extractor): TypedValue[] {
    this.memo ??= new Map();
    let values = this.memo.get(extractor.key);
    if (!values) {
      values = extractor.extract(this.resource);
      this.memo.set(extractor.key, values);
    }
    return values;
  }
}

/** Keys an equality criterion is found under in the candidate index. */
export interface IndexSpace {
  /** Identifies the parameter and the key kind (`token`, `reference`, `uri`). */
  readonly key: string;
  readonly extractor: Extractor;
  /** Every key a resource's values answer to. */
  keysOf(values: TypedValue[]): string[];
}

/** A parameter value test, compiled once. */
export interface ValueTest {
  test(values: TypedValue[]): boolean;
  /** Present when the test passes only if one of these keys is among the resource's keys. */
  index?: { space: IndexSpace; keys: string[] };
  /** Where the test reads its values when not from the parameter's own expression. */
  extractor?: Extractor;
}

/** One criterion of a subscription: `code=http://loinc.org|1234-5`, a FHIRPath expression, ... */
export interface Criterion {
  /** How the user wrote it, for explanations. */
  readonly text: string;
  test(view: ResourceView): boolean;
  readonly index?: { space: IndexSpace; keys: string[] };
}

export interface CompileContext {
  version: FhirVersion;
  registry: SearchParameterRegistry;
  resourceType: string;
}

export interface ParamCompileInput {
  ctx: CompileContext;
  def: SearchParameterDefinition;
  /** As written, for error messages: `code:text`. */
  name: string;
  modifier?: string;
  /** The OR-ed values (comma-separated in the query), escapes still in place. */
  values: string[];
  /** The parameter's expression for this resource type. */
  expression: string;
  extractor: Extractor;
}

/** A slot for data derived from a values list (parsed references, token items, date ranges). */
export type DerivedSlot<T> = symbol & { readonly __derived?: T };

export function derivedSlot<T>(name: string): DerivedSlot<T> {
  return Symbol(name) as DerivedSlot<T>;
}

/**
 * Derived data computed once per values list: a resource's values are memoized by its view, so
 * the same list reaches the index and every test. It is kept on the list itself (a symbol-keyed
 * property), which is cheaper than a WeakMap for short-lived lists.
 */
export function derived<T>(
  slot: DerivedSlot<T>,
  values: TypedValue[],
  derive: (values: TypedValue[]) => T,
): T {
  const holder = values as unknown as Record<symbol, T | undefined>;
  let d = holder[slot];
  if (d === undefined) {
    d = derive(values);
    holder[slot] = d;
  }
  return d;
}
