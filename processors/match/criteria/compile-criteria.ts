import { CompileError } from '../../../state/index.js';
import type { FhirVersion } from '../../subscription/index.js';
import { isResourceType } from '../definitions/fhir-model.js';
import { searchParameters } from '../definitions/search-parameters.js';
import type { Criterion } from '../types.js';
import { compileParam, type ParamOptions } from './compile-param.js';
import { parseCriteria } from './parse.js';

/** `Type?params` compiled: the resource type and the criteria that must all hold. */
export interface CompiledCriteria {
  text: string;
  resourceType: string;
  criteria: Criterion[];
}

export interface CriteriaOptions extends ParamOptions {
  version: FhirVersion;
  /** The type the criteria are about when they may omit it (topic query criteria). */
  resourceType?: string;
}

export function compileCriteria(text: string, options: CriteriaOptions): CompiledCriteria {
  const parsed = parseCriteria(text, options.resourceType ? { resourceType: options.resourceType } : {});
  if (!isResourceType(options.version, parsed.resourceType)) {
    throw new CompileError(
      `criteria '${text}': '${parsed.resourceType}' is not a ${options.version} resource type`,
      {
        context: { criteria: text, resourceType: parsed.resourceType },
      },
    );
  }
  const ctx = {
    version: options.version,
    registry: searchParameters(options.version),
    resourceType: parsed.resourceType,
  };
  const criteria = parsed.params.map((p) => {
    try {
      return compileParam(ctx, p, options);
    } catch (cause) {
      if (cause instanceof CompileError) {
        throw new CompileError(`criteria '${text}': ${cause.message}`, {
          cause,
          context: { ...cause.context, criteria: text },
        });
      }
      throw cause;
    }
  });
  return { text, resourceType: parsed.resourceType, criteria };
}
