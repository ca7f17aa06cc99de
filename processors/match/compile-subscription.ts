import { CompileError } from '../../state/index.js';
import type { Interaction } from '../contracts.js';
import type { NormalizedSubscription } from '../subscription/index.js';
import { compileCriteria, type CompiledCriteria } from './criteria/compile-criteria.js';
import type { ParamOptions } from './criteria/compile-param.js';
import { compileFhirPathCriterion, type FhirPathCriterion } from './fhirpath-criteria.js';
import { compileFilters, type CompiledFilters } from './topic/compile-filters.js';
import type { CompiledTopic } from './topic/compile-topic.js';

interface Common {
  id: string;
  tenant: string;
  subscription: NormalizedSubscription;
  /** Interactions the subscription fires on; empty means all its kind allows. */
  interactions: readonly Interaction[];
  /** Medplum fhir-path-criteria-expression. */
  fhirPath?: FhirPathCriterion;
}

/** R4 `Type?params`: classic criteria. */
export interface ClassicEntry extends Common {
  kind: 'classic';
  criteria: CompiledCriteria;
}

/** R5, R4B and backport: a topic and the subscription's filters. */
export interface TopicEntry extends Common {
  kind: 'topic';
  topic: CompiledTopic;
  filters: CompiledFilters;
}

export type SubscriptionEntry = ClassicEntry | TopicEntry;

/**
 * Classic criteria fire on create and update; HAPI / Smile send-delete-messages adds delete;
 * Medplum's supported-interaction, when present, says exactly which.
 */
function classicInteractions(sub: NormalizedSubscription): Interaction[] {
  if (sub.options.supportedInteractions.length > 0) return [...sub.options.supportedInteractions];
  return sub.options.sendDeleteMessages ? ['create', 'update', 'delete'] : ['create', 'update'];
}

function common(sub: NormalizedSubscription): Omit<Common, 'interactions'> {
  const version = sub.fhirVersion;
  return {
    id: sub.id,
    tenant: sub.tenant ?? '',
    subscription: sub,
    ...(sub.options.fhirPathCriteria
      ? {
          fhirPath: compileFhirPathCriterion(
            sub.options.fhirPathCriteria,
            version,
            `Subscription/${sub.id} fhir-path-criteria-expression`,
          ),
        }
      : {}),
  };
}

export function compileClassic(sub: NormalizedSubscription, options: ParamOptions): ClassicEntry {
  if (!sub.criteria) {
    throw new CompileError(`Subscription/${sub.id}: no criteria`, { context: { subscription: sub.id } });
  }
  let criteria: CompiledCriteria;
  try {
    criteria = compileCriteria(sub.criteria, { ...options, version: sub.fhirVersion });
  } catch (cause) {
    if (cause instanceof CompileError) {
      throw new CompileError(`Subscription/${sub.id}: ${cause.message}`, {
        cause,
        context: { ...cause.context, subscription: sub.id },
      });
    }
    throw cause;
  }
  return { ...common(sub), kind: 'classic', criteria, interactions: classicInteractions(sub) };
}

export function compileTopicSubscription(
  sub: NormalizedSubscription,
  topic: CompiledTopic,
  options: ParamOptions,
): TopicEntry {
  return {
    ...common(sub),
    kind: 'topic',
    topic,
    filters: compileFilters(sub, topic, options),
    interactions: sub.options.supportedInteractions,
  };
}
