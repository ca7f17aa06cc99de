import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4/index.js';
import r5 from 'fhirpath/fhir-context/r5/index.js';
import type { FhirVersion } from '../../subscription/index.js';
import { searchParameters } from './search-parameters.js';

export type FhirpathModel = typeof r4;

/** fhirpath ships R4 and R5 models; R4B's data types and paths are R4's for everything matching reads. */
export function modelFor(version: FhirVersion): FhirpathModel {
  return version === 'R5' ? r5 : r4;
}

/**
 * Whether `name` is a concrete resource type of the version (not a data type, not abstract).
 * R4B's own new types (SubscriptionTopic, NutritionProduct...) are not in the R4 model: its
 * search parameters name them.
 */
export function isResourceType(version: FhirVersion, name: string): boolean {
  const parents = modelFor(version).type2Parent as Record<string, string>;
  if (name === 'Resource' || name === 'DomainResource') return false;
  if (version === 'R4B' && searchParameters('R4B').hasBase(name)) return true;
  let current: string | undefined = name;
  for (let depth = 0; current && depth < 5; depth++) {
    current = parents[current];
    if (current === 'Resource' || current === 'DomainResource') return true;
  }
  return false;
}

export { fhirpath };
