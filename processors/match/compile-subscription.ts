import { CompileError } from '../../state/index.js';
import type { Interaction } from '../contracts.js';
import type { NormalizedSubscription } from '../subscription/index.js';
import { compileCriteria, type CompiledCriteria } from './criteria/compile-criteria.js';
import type { ParamOptions } from './criteria/compile-param.js';
import { compileFhirPathCriterion, type FhirPathCriterion } from './fhirpath-criteria.js';
import { compileFilters, type CompiledFilters } from './topic/compile-filters.js';
import type { CompiledTopic } from './topic/compile-topic.js';

/**
 * What every entry carries, always in the same fields (absent values as undefined): matching
 * reads these on every candidate, and one object shape keeps those reads fast.
 */
interface Common {
  id: string;
  tenant: string;
  /** Requested or active: only those match. */
  live: boolean;
  /** Subscription.end in epoch milliseconds (Infinity without an end). */
  endsAt: number;
  subscription: NormalizedSubscription;
  /** Interactions the subscription fires on; empty means all its kind allows. */
  interactions: readonly Interaction[];
  /** Medplum fhir-path-criteria-expression. */
  fhirPath: FhirPathCriterion | undefined;
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

function common(sub: NormalizedSubscription, interactions: readonly Interaction[]): Common {
  const end = sub.end ? Date.parse(sub.end) : NaN;
  return {
    id: sub.id,
    tenant: sub.tenant ?? '',
    live: sub.status === 'requested' || sub.status === 'active',
    endsAt: Number.isNaN(end) ? Infinity : end,
    subscription: sub,
    interactions,
    fhirPath: sub.options.fhirPathCriteria
      ? compileFhirPathCriterion(
          sub.options.fhirPathCriteria,
          sub.fhirVersion,
          `Subscription/${sub.id} fhir-path-criteria-expression`,
        )
      : undefined,
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
  return { ...common(sub, classicInteractions(sub)), kind: 'classic', criteria };
}

export function compileTopicSubscription(
  sub: NormalizedSubscription,
  topic: CompiledTopic,
  options: ParamOptions,
): TopicEntry {
  const filters = compileFilters(sub, topic, options);
  return { ...common(sub, sub.options.supportedInteractions), kind: 'topic', topic, filters };
}
