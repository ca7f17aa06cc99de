import { CompileError } from '../../../state/index.js';
import type { FhirResource, Interaction } from '../../contracts.js';

/** A SubscriptionTopic read from its R5 or R4B shape (they differ in canFilterBy only). */
export interface TopicDefinition {
  url: string;
  resourceTriggers: ResourceTrigger[];
  eventTriggers: EventTrigger[];
  canFilterBy: FilterAllowance[];
}

export interface ResourceTrigger {
  resourceType: string;
  supportedInteraction: Interaction[];
  queryCriteria?: {
    previous?: string;
    resultForCreate?: 'test-passes' | 'test-fails';
    current?: string;
    resultForDelete?: 'test-passes' | 'test-fails';
    requireBoth?: boolean;
  };
  fhirPathCriteria?: string;
}

export interface EventTrigger {
  codings: { system?: string; code: string }[];
  resourceType: string;
}

export interface FilterAllowance {
  resourceType?: string;
  filterParameter: string;
  filterDefinition?: string;
  /** R5 comparators; R4B lists them among its modifiers. */
  comparators: string[];
  modifiers: string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const COMPARATORS = ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap'];
const INTERACTIONS: Interaction[] = ['create', 'update', 'delete'];

/** `http://hl7.org/fhir/StructureDefinition/Encounter` or `Encounter` → `Encounter`. */
export function resourceTypeOf(uri: string): string {
  return uri.startsWith('http://hl7.org/fhir/StructureDefinition/') ? uri.slice(40) : uri;
}

export function readTopic(url: string, resource: FhirResource): TopicDefinition {
  if (!isObj(resource) || resource.resourceType !== 'SubscriptionTopic') {
    throw new CompileError(`topic ${url}: not a SubscriptionTopic resource`, { context: { topic: url } });
  }
  const r = resource as Obj;
  const where = (element: string) => `topic ${url}: ${element}`;
  const resourceTriggers = list(r.resourceTrigger).map((t, i): ResourceTrigger => {
    const at = `resourceTrigger[${i}]`;
    if (!isObj(t) || !str(t.resource))
      throw new CompileError(where(`${at}.resource is required`), { context: { topic: url } });
    const interactions = list(t.supportedInteraction).map((x) => {
      if (!INTERACTIONS.includes(x as Interaction)) {
        throw new CompileError(
          where(`${at}.supportedInteraction '${String(x)}' is not create, update or delete`),
          {
            context: { topic: url },
          },
        );
      }
      return x as Interaction;
    });
    const qc = isObj(t.queryCriteria) ? t.queryCriteria : undefined;
    const result = (v: unknown, name: string) => {
      if (v === undefined) return undefined;
      if (v !== 'test-passes' && v !== 'test-fails') {
        throw new CompileError(
          where(`${at}.queryCriteria.${name} '${String(v)}' is not test-passes or test-fails`),
          {
            context: { topic: url },
          },
        );
      }
      return v;
    };
    const resultForCreate = result(qc?.resultForCreate, 'resultForCreate');
    const resultForDelete = result(qc?.resultForDelete, 'resultForDelete');
    return {
      resourceType: resourceTypeOf(str(t.resource)!),
      supportedInteraction: interactions,
      ...(qc
        ? {
            queryCriteria: {
              ...(str(qc.previous) ? { previous: str(qc.previous) } : {}),
              ...(str(qc.current) ? { current: str(qc.current) } : {}),
              ...(resultForCreate ? { resultForCreate } : {}),
              ...(resultForDelete ? { resultForDelete } : {}),
              ...(typeof qc.requireBoth === 'boolean' ? { requireBoth: qc.requireBoth } : {}),
            },
          }
        : {}),
      ...(str(t.fhirPathCriteria) ? { fhirPathCriteria: str(t.fhirPathCriteria) } : {}),
    };
  });
  const eventTriggers = list(r.eventTrigger).map((t, i): EventTrigger => {
    const at = `eventTrigger[${i}]`;
    const event = isObj(t) && isObj(t.event) ? t.event : undefined;
    const codings = list(event?.coding)
      .filter(isObj)
      .filter((c) => str(c.code))
      .map((c) => ({ code: str(c.code)!, ...(str(c.system) ? { system: str(c.system) } : {}) }));
    if (!isObj(t) || codings.length === 0 || !str(t.resource)) {
      throw new CompileError(where(`${at} needs an event coding and a resource`), {
        context: { topic: url },
      });
    }
    return { codings, resourceType: resourceTypeOf(str(t.resource)!) };
  });
  if (resourceTriggers.length === 0 && eventTriggers.length === 0) {
    throw new CompileError(where('has neither resourceTrigger nor eventTrigger'), {
      context: { topic: url },
    });
  }
  const canFilterBy = list(r.canFilterBy).map((f, i): FilterAllowance => {
    if (!isObj(f) || !str(f.filterParameter)) {
      throw new CompileError(where(`canFilterBy[${i}].filterParameter is required`), {
        context: { topic: url },
      });
    }
    const modifiers = list(f.modifier).filter((m): m is string => typeof m === 'string');
    const comparators = list(f.comparator).filter((m): m is string => typeof m === 'string');
    return {
      filterParameter: str(f.filterParameter)!,
      ...(str(f.resource) ? { resourceType: resourceTypeOf(str(f.resource)!) } : {}),
      ...(str(f.filterDefinition) ? { filterDefinition: str(f.filterDefinition) } : {}),
      // R4B has no comparator element: its modifier codes include `=`, eq, ne, gt...
      comparators: [...comparators, ...modifiers.filter((m) => COMPARATORS.includes(m))],
      modifiers: modifiers.filter((m) => !COMPARATORS.includes(m) && m !== '='),
    };
  });
  return { url, resourceTriggers, eventTriggers, canFilterBy };
}
