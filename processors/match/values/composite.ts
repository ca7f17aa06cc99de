import { CompileError } from '../../../state/index.js';
import { splitUnescaped } from '../criteria/escape.js';
import { evaluatePart } from '../expression.js';
import type { ParamCompileInput, ValueTest } from '../types.js';

/**
 * Composite search (FHIR search, "composite"): `a$b` holds when one item of the composite's
 * expression satisfies every component at once.
 */
export function compileComposite(
  input: ParamCompileInput,
  compileComponent: (component: ParamCompileInput) => ValueTest,
): ValueTest {
  const { def, name, ctx } = input;
  if (input.modifier !== undefined) {
    throw new CompileError(`${name}: composite parameters take no modifier`, {
      context: { parameter: name },
    });
  }
  const components = def.component ?? [];
  const base = input.expression;
  if (components.length === 0 || !/^[A-Za-z]+(\.[A-Za-z]+)*$/.test(base)) {
    throw new CompileError(`${name}: composite '${def.code}' is not supported on ${ctx.resourceType}`, {
      context: { parameter: name },
    });
  }
  const alternatives: ValueTest[][] = input.values.map((raw) => {
    const parts = splitUnescaped(raw, '$');
    if (parts.length !== components.length) {
      throw new CompileError(`${name}: '${raw}' needs ${components.length} '$'-separated values`, {
        context: { parameter: name },
      });
    }
    return components.map((component, i) => {
      const componentDef = ctx.registry.byUrl(component.definition);
      if (!componentDef) {
        throw new CompileError(`${name}: component ${component.definition} is not a known search parameter`, {
          context: { parameter: name },
        });
      }
      return compileComponent({
        ctx,
        def: componentDef,
        name: `${name} component ${i + 1}`,
        values: [parts[i]!],
        expression: component.expression,
        extractor: { key: `${input.extractor.key}$${i}`, extract: () => [] },
      });
    });
  });
  const version = ctx.version;
  return {
    test: (items) =>
      items.some((item) =>
        alternatives.some((tests) =>
          tests.every((t, i) => t.test(evaluatePart(version, base, components[i]!.expression, item.value))),
        ),
      ),
  };
}
