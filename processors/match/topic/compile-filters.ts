import { CompileError } from '../../../state/index.js';
import type { NormalizedSubscription, SubscriptionFilter } from '../../subscription/index.js';
import { compileParam, type ParamOptions } from '../criteria/compile-param.js';
import { parseCriteria, type QueryParam } from '../criteria/parse.js';
import { splitUnescaped } from '../criteria/escape.js';
import { searchParameters } from '../definitions/search-parameters.js';
import type { Criterion, ResourceView } from '../types.js';
import type { CompiledTopic } from './compile-topic.js';
import { resourceTypeOf, type FilterAllowance } from './topic-model.js';

const ORDERED = new Set(['number', 'date', 'quantity']);

/** A subscription's filters, by the focus resource type they apply to; they AND together. */
export type CompiledFilters = Map<string, Criterion[]>;

interface FilterSpec {
  resourceType?: string;
  parameter: string;
  comparator?: string;
  modifier?: string;
  values: string[];
  text: string;
}

function refuse(sub: NormalizedSubscription, message: string, filter: string): CompileError {
  return new CompileError(`Subscription/${sub.id}: ${message}`, {
    context: { subscription: sub.id, filter },
  });
}

function allowanceFor(topic: CompiledTopic, spec: FilterSpec): FilterAllowance[] {
  return topic.definition.canFilterBy.filter(
    (a) =>
      a.filterParameter === spec.parameter &&
      (a.resourceType === undefined ||
        spec.resourceType === undefined ||
        a.resourceType === spec.resourceType),
  );
}

/** A negated criterion: R5 `ne` on a parameter that has no order means "not equal". */
function negate(c: Criterion, text: string): Criterion {
  return { text, test: (view: ResourceView) => !c.test(view) };
}

function compileSpec(
  sub: NormalizedSubscription,
  topic: CompiledTopic,
  spec: FilterSpec,
  options: ParamOptions,
): { resourceType: string; criterion: Criterion }[] {
  const allowances = allowanceFor(topic, spec);
  if (allowances.length === 0) {
    throw refuse(
      sub,
      `topic ${topic.url} does not allow filtering by '${spec.parameter}' (canFilterBy)`,
      spec.text,
    );
  }
  const comparator = spec.comparator ?? 'eq';
  if (comparator !== 'eq' && !allowances.some((a) => a.comparators.includes(comparator))) {
    throw refuse(
      sub,
      `topic ${topic.url} does not allow comparator '${comparator}' on '${spec.parameter}'`,
      spec.text,
    );
  }
  if (spec.modifier && !allowances.some((a) => a.modifiers.includes(spec.modifier!))) {
    throw refuse(
      sub,
      `topic ${topic.url} does not allow modifier '${spec.modifier}' on '${spec.parameter}'`,
      spec.text,
    );
  }
  const registry = searchParameters(topic.version);
  const types = spec.resourceType
    ? [spec.resourceType]
    : [...new Set(allowances.map((a) => a.resourceType).filter((t): t is string => t !== undefined))];
  const candidates = types.length > 0 ? types : [...topic.resourceTypes];
  const out: { resourceType: string; criterion: Criterion }[] = [];
  for (const resourceType of candidates) {
    if (!topic.resourceTypes.has(resourceType)) {
      throw refuse(
        sub,
        `filter on ${resourceType}, which topic ${topic.url} never notifies about`,
        spec.text,
      );
    }
    const definition = allowances.find((a) => a.filterDefinition)?.filterDefinition;
    const def = (definition && registry.byUrl(definition)) || registry.get(resourceType, spec.parameter);
    if (!def) {
      if (spec.resourceType || candidates.length === 1) {
        throw refuse(
          sub,
          `'${spec.parameter}' is not a ${topic.version} search parameter of ${resourceType}`,
          spec.text,
        );
      }
      continue;
    }
    const ordered = ORDERED.has(def.type);
    if (!ordered && comparator !== 'eq' && comparator !== 'ne') {
      throw refuse(
        sub,
        `comparator '${comparator}' applies to number, date and quantity parameters, not to ${def.type} '${spec.parameter}'`,
        spec.text,
      );
    }
    const param: QueryParam = {
      raw: spec.modifier ? `${def.code}:${spec.modifier}` : def.code,
      code: def.code,
      ...(spec.modifier ? { modifier: spec.modifier } : {}),
      values: ordered && comparator !== 'eq' ? spec.values.map((v) => `${comparator}${v}`) : spec.values,
    };
    let criterion: Criterion;
    try {
      criterion = compileParam({ version: topic.version, registry, resourceType }, param, options);
    } catch (cause) {
      if (cause instanceof CompileError)
        throw refuse(sub, `filter '${spec.text}': ${cause.message}`, spec.text);
      throw cause;
    }
    out.push({
      resourceType,
      criterion:
        !ordered && comparator === 'ne' ? negate(criterion, spec.text) : { ...criterion, text: spec.text },
    });
  }
  if (out.length === 0) {
    throw refuse(
      sub,
      `'${spec.parameter}' is not a search parameter of any resource topic ${topic.url} notifies about`,
      spec.text,
    );
  }
  return out;
}

function specsOf(sub: NormalizedSubscription): FilterSpec[] {
  const fromFilterBy = sub.filterBy.map((f: SubscriptionFilter): FilterSpec => {
    const resourceType = f.resourceType ? resourceTypeOf(f.resourceType) : undefined;
    const modifier = f.modifier === '=' ? undefined : f.modifier;
    return {
      ...(resourceType ? { resourceType } : {}),
      parameter: f.filterParameter,
      ...(f.comparator ? { comparator: f.comparator } : {}),
      ...(modifier ? { modifier } : {}),
      values: splitUnescaped(f.value, ','),
      text: `${resourceType ? `${resourceType}?` : ''}${f.filterParameter}${modifier ? `:${modifier}` : ''}=${f.comparator && f.comparator !== 'eq' ? f.comparator : ''}${f.value}`,
    };
  });
  // Backport: `Type?param=value` strings (backport-filter-criteria), their params AND together.
  const fromCriteria = sub.filterCriteria.flatMap((text) => {
    const parsed = parseCriteria(text, { untyped: true });
    return parsed.params.map((p): FilterSpec => ({
      ...(parsed.resourceType ? { resourceType: parsed.resourceType } : {}),
      parameter: p.code,
      ...(p.modifier ? { modifier: p.modifier } : {}),
      values: p.values,
      text,
    }));
  });
  return [...fromFilterBy, ...fromCriteria];
}

export function compileFilters(
  sub: NormalizedSubscription,
  topic: CompiledTopic,
  options: ParamOptions,
): CompiledFilters {
  const filters: CompiledFilters = new Map();
  for (const type of topic.resourceTypes) filters.set(type, []);
  for (const spec of specsOf(sub)) {
    for (const { resourceType, criterion } of compileSpec(sub, topic, spec, options)) {
      filters.get(resourceType)!.push(criterion);
    }
  }
  return filters;
}
