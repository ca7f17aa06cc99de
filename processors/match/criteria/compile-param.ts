import { CompileError } from '../../../state/index.js';
import { expressionFor, searchExtractor } from '../expression.js';
import type { SearchParameterDefinition } from '../definitions/search-parameters.js';
import type { CompileContext, Criterion, Extractor, ParamCompileInput, ValueTest } from '../types.js';
import type { ResourceView } from '../types.js';
import { compileComposite } from '../values/composite.js';
import { compileDate } from '../values/date.js';
import { compileNumber } from '../values/number.js';
import { compileQuantity } from '../values/quantity.js';
import { compileReference } from '../values/reference.js';
import { compileString } from '../values/string.js';
import { compileToken } from '../values/token.js';
import { compileUri } from '../values/uri.js';
import type { QueryParam } from './parse.js';

export interface ParamOptions {
  /** Now, in epoch milliseconds, for the `ap` prefix on dates. */
  now: () => number;
}

export function compileValues(input: ParamCompileInput, options: ParamOptions): ValueTest {
  switch (input.def.type) {
    case 'token':
      return compileToken(input);
    case 'string':
      return compileString(input);
    case 'uri':
      return compileUri(input);
    case 'reference':
      return compileReference(input);
    case 'date':
      return onlyPlain(input, () => compileDate(input, options.now));
    case 'number':
      return onlyPlain(input, () => compileNumber(input));
    case 'quantity':
      return onlyPlain(input, () => compileQuantity(input));
    case 'composite':
      return compileComposite(input, (component) => compileValues(component, options));
    default:
      throw new CompileError(
        `${input.name}: '${input.def.code}' is a ${input.def.type} parameter, which cannot be matched`,
        {
          context: { parameter: input.name },
        },
      );
  }
}

function onlyPlain(input: ParamCompileInput, compile: () => ValueTest): ValueTest {
  if (input.modifier !== undefined) {
    throw new CompileError(
      `${input.name}: ${input.def.type} parameters take no modifier ':${input.modifier}'`,
      {
        context: { parameter: input.name, modifier: input.modifier },
      },
    );
  }
  return compile();
}

const perDefinition = new WeakMap<
  SearchParameterDefinition,
  Map<string, { expression: string; extractor: Extractor }>
>();

/** A parameter's expression for one resource type, worked out once however many subscriptions use it. */
function extractorFor(
  ctx: CompileContext,
  def: SearchParameterDefinition,
): { expression: string; extractor: Extractor } {
  let byType = perDefinition.get(def);
  if (!byType) perDefinition.set(def, (byType = new Map()));
  let found = byType.get(ctx.resourceType);
  if (!found) {
    const expression = expressionFor(def.expression!, ctx.resourceType);
    found = { expression, extractor: searchExtractor(ctx.version, ctx.resourceType, def.code, expression) };
    byType.set(ctx.resourceType, found);
  }
  return found;
}

/**
 * One query parameter as a criterion on a resource of `ctx.resourceType`: its definition from
 * the official SearchParameter data, its expression on fhirpath, its values tested by type.
 */
export function compileParam(ctx: CompileContext, param: QueryParam, options: ParamOptions): Criterion {
  const name = param.raw;
  const def = ctx.registry.get(ctx.resourceType, param.code);
  if (!def) {
    throw new CompileError(
      `'${param.code}' is not a ${ctx.version} search parameter of ${ctx.resourceType}`,
      {
        context: { parameter: name, resourceType: ctx.resourceType },
      },
    );
  }
  if (!def.expression) {
    throw new CompileError(
      `'${param.code}' has no expression in the ${ctx.version} definitions and cannot be matched`,
      {
        context: { parameter: name },
      },
    );
  }
  const { expression, extractor } = extractorFor(ctx, def);
  const text = `${name}=${param.values.join(',')}`;

  if (param.modifier === 'missing') {
    const v = param.values;
    if (v.length !== 1 || (v[0] !== 'true' && v[0] !== 'false')) {
      throw new CompileError(`${name}: ':missing' takes true or false`, { context: { parameter: name } });
    }
    const missing = v[0] === 'true';
    return { text, test: (view) => (view.values(extractor).length === 0) === missing };
  }
  const input: ParamCompileInput = {
    ctx,
    def,
    name,
    ...(param.modifier !== undefined ? { modifier: param.modifier } : {}),
    values: param.values,
    expression,
    extractor,
  };
  const values = compileValues(input, options);
  const valueExtractor = values.extractor ?? extractor;
  return {
    text,
    test: (view: ResourceView) => values.test(view.values(valueExtractor)),
    ...(values.index ? { index: values.index } : {}),
  };
}
