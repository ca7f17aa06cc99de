import { CompileError, ProcessingError } from '../../state/index.js';
import type { FhirResource } from '../contracts.js';
import type { FhirVersion } from '../subscription/index.js';
import { fhirpath, modelFor } from './definitions/fhir-model.js';
import { compilePathReader, referenceTypeOf } from './fast-path.js';
import type { Extractor, TypedValue } from './types.js';

/**
 * `resolve() is Patient` cannot fetch anything here: the reference's own type decides it
 * (the literal `Type/id`, an absolute URL ending in `Type/id`, or Reference.type).
 */
const userInvocationTable = {
  referenceIs: {
    fn: (inputs: unknown[], type: string) =>
      inputs.map((node) => referenceTypeOf(fhirpath.util.valData(node)) === type),
    arity: { 1: ['String'] },
  },
};

/** Splits `A.x | B.y | (A.z as T)` at its top-level unions. */
export function splitUnion(expression: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let current = '';
  for (const c of expression) {
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '`') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      parts.push(current.trim());
      current = '';
      continue;
    }
    current += c;
  }
  parts.push(current.trim());
  return parts.filter((p) => p.length > 0);
}

/** The union parts of a multi-resource expression that apply to one resource type. */
export function expressionFor(expression: string, resourceType: string): string {
  const parts = splitUnion(expression);
  const own = parts.filter((p) => {
    const head = /^\(*\s*([A-Za-z]+)/.exec(p)?.[1];
    return head === resourceType || head === 'Resource' || head === 'DomainResource';
  });
  return own.length > 0 ? own.join(' | ') : expression;
}

function rewriteResolve(expression: string, where: string): string {
  const rewritten = expression.replace(/resolve\(\)\s+is\s+([A-Za-z]+)/g, "referenceIs('$1')");
  if (rewritten.includes('resolve(')) {
    throw new CompileError(`${where} needs resolve() of another resource, which a subscription cannot do`, {
      context: { expression },
    });
  }
  return rewritten;
}

interface ResourceNodeLike {
  data: unknown;
  fhirNodeDataType?: string;
}

function typed(item: unknown): TypedValue {
  if (item !== null && typeof item === 'object' && 'data' in item) {
    const node = item as ResourceNodeLike;
    return { type: node.fhirNodeDataType ?? inferType(node.data), value: node.data };
  }
  return { type: inferType(item), value: item };
}

function inferType(value: unknown): string {
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return 'decimal';
  if (typeof value === 'string') return 'string';
  return 'Element';
}

type Compiled = (resource: unknown, env?: Record<string, unknown>) => unknown[];

const cache = new Map<string, Compiled>();

/** Subscriptions' own expressions: a bounded cache, least recently used out first. */
const CRITERIA_CACHE_SIZE = 2_000;
const criteriaCache = new Map<string, Compiled>();

/**
 * Compiles a FHIRPath expression once per version (fhirpath's parse is the expensive part).
 * Search parameter expressions are a finite set and stay; subscriptions' own expressions
 * (`bounded: true`) go to a bounded cache, so that a table whose subscriptions come and go does
 * not keep them all, while many subscriptions with the same expression compile it once.
 */
export function compileFhirPath(
  expression: string,
  version: FhirVersion,
  where: string,
  options: { bounded?: boolean } = {},
): Compiled {
  const store = options.bounded ? criteriaCache : cache;
  const key = `${version}\u0000${expression}`;
  let fn = store.get(key);
  if (fn && store === criteriaCache) {
    // Most recently used goes last: the first key is the one to evict.
    criteriaCache.delete(key);
    criteriaCache.set(key, fn);
  }
  if (!fn) {
    try {
      fn = fhirpath.compile(rewriteResolve(expression, where), modelFor(version), {
        resolveInternalTypes: false,
        userInvocationTable,
      } as Parameters<typeof fhirpath.compile>[2]) as unknown as Compiled;
    } catch (cause) {
      if (cause instanceof CompileError) throw cause;
      throw new CompileError(`${where}: invalid FHIRPath '${expression}': ${(cause as Error).message}`, {
        cause,
        context: { expression },
      });
    }
    store.set(key, fn);
    if (criteriaCache.size > CRITERIA_CACHE_SIZE) criteriaCache.delete(criteriaCache.keys().next().value!);
  }
  return fn;
}

const extractors = new Map<string, Extractor>();

/** The values of one search parameter on one resource type, typed, through fhirpath. */
export function searchExtractor(
  version: FhirVersion,
  resourceType: string,
  code: string,
  expression: string,
): Extractor {
  const own = expressionFor(expression, resourceType);
  const key = `${version}:${resourceType}:${code}:${own}`;
  let extractor = extractors.get(key);
  if (!extractor) {
    // Compiled even when the plain-path reader is used: a definition that does not parse is refused.
    const fn = compileFhirPath(own, version, `search parameter '${code}'`);
    const path = compilePathReader(splitUnion(own), version, resourceType);
    if (path) {
      // Keyed by what it reads, so that R4 and R5 parameters reading the same path share values.
      extractor = { key: `path:${resourceType}:${path.signature}`, extract: path.read };
      extractors.set(key, extractor);
      return extractor;
    }
    extractor = {
      key,
      extract(resource: FhirResource): TypedValue[] {
        try {
          return fn(resource).map(typed);
        } catch (cause) {
          throw new ProcessingError(
            `evaluating '${code}' on ${resource.resourceType}/${resource.id ?? ''} failed: ${(cause as Error).message}`,
            { cause, context: { expression: own } },
          );
        }
      },
    };
    extractors.set(key, extractor);
  }
  return extractor;
}

/** Evaluates an expression on a part of a resource (composite components), typed by its base path. */
export function evaluatePart(
  version: FhirVersion,
  base: string,
  expression: string,
  part: unknown,
): TypedValue[] {
  const compiled = partCache(version, base, expression);
  return compiled(part).map(typed);
}

const parts = new Map<string, Compiled>();

function partCache(version: FhirVersion, base: string, expression: string): Compiled {
  const key = `${version}\u0000${base}\u0000${expression}`;
  let fn = parts.get(key);
  if (!fn) {
    fn = fhirpath.compile({ base, expression: rewriteResolve(expression, expression) }, modelFor(version), {
      resolveInternalTypes: false,
      userInvocationTable,
    } as Parameters<typeof fhirpath.compile>[2]) as unknown as Compiled;
    parts.set(key, fn);
  }
  return fn;
}
