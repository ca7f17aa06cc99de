import { CompileError, ProcessingError } from '../../state/index.js';
import type { FhirResource } from '../contracts.js';
import type { FhirVersion } from '../subscription/index.js';
import { fhirpath } from './definitions/fhir-model.js';
import { compileFhirPath } from './expression.js';

/** A FHIRPath trigger evaluated with `%previous` and `%current` (R5 fhirPathCriteria, Medplum). */
export interface FhirPathCriterion {
  readonly text: string;
  test(
    focus: FhirResource | undefined,
    current: FhirResource | undefined,
    previous: FhirResource | undefined,
  ): boolean;
}

export function compileFhirPathCriterion(
  expression: string,
  version: FhirVersion,
  where: string,
): FhirPathCriterion {
  if (expression.trim() === '')
    throw new CompileError(`${where}: empty FHIRPath`, { context: { element: where } });
  const fn = compileFhirPath(expression, version, where, { bounded: true });
  return {
    text: expression,
    test(focus, current, previous) {
      // An absent version is the empty collection, so `%previous.exists()` reads naturally.
      const env = { current: current ?? [], previous: previous ?? [] };
      let result: unknown[];
      try {
        result = fn(focus ?? {}, env);
      } catch (cause) {
        throw new ProcessingError(
          `${where}: evaluating '${expression}' failed: ${(cause as Error).message}`,
          {
            cause,
            context: { expression },
          },
        );
      }
      return result.length === 1 && fhirpath.util.valData(result[0]) === true;
    },
  };
}
