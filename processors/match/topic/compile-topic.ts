import { CompileError } from '../../../state/index.js';
import type { Interaction } from '../../contracts.js';
import { isResourceType } from '../definitions/fhir-model.js';
import type { FhirVersion } from '../../subscription/index.js';
import type { ChangeState } from '../change-state.js';
import { compileCriteria, type CompiledCriteria } from '../criteria/compile-criteria.js';
import type { ParamOptions } from '../criteria/compile-param.js';
import { compileFhirPathCriterion, type FhirPathCriterion } from '../fhirpath-criteria.js';
import { noter, type Note, type Reason } from '../explain.js';
import type { EventTrigger, TopicDefinition } from './topic-model.js';

export interface CompiledTrigger {
  label: string;
  resourceType: string;
  interactions: readonly Interaction[];
  previous?: CompiledCriteria;
  current?: CompiledCriteria;
  resultForCreate: boolean;
  resultForDelete: boolean;
  requireBoth: boolean;
  fhirPath?: FhirPathCriterion;
}

export interface CompiledTopic {
  url: string;
  version: FhirVersion;
  definition: TopicDefinition;
  triggersByType: Map<string, CompiledTrigger[]>;
  eventTriggers: EventTrigger[];
  /** Every resource type a notification of this topic can focus on. */
  resourceTypes: Set<string>;
}

/** Compiles a topic's triggers against one FHIR version's search parameters. */
export function compileTopic(
  definition: TopicDefinition,
  version: FhirVersion,
  options: ParamOptions,
): CompiledTopic {
  const triggersByType = new Map<string, CompiledTrigger[]>();
  const types = [...definition.resourceTriggers, ...definition.eventTriggers].map((t) => t.resourceType);
  for (const type of types) {
    if (!isResourceType(version, type)) {
      throw new CompileError(`topic ${definition.url}: '${type}' is not a ${version} resource type`, {
        context: { topic: definition.url, resourceType: type },
      });
    }
  }
  definition.resourceTriggers.forEach((t, i) => {
    const label = `topic ${definition.url} resourceTrigger[${i}] (${t.resourceType})`;
    const criteria = (text: string | undefined) =>
      text === undefined
        ? undefined
        : compileCriteria(text, { ...options, version, resourceType: t.resourceType });
    const qc = t.queryCriteria ?? {};
    const previous = criteria(qc.previous);
    const current = criteria(qc.current);
    const compiled: CompiledTrigger = {
      label,
      resourceType: t.resourceType,
      interactions: t.supportedInteraction,
      ...(previous ? { previous } : {}),
      ...(current ? { current } : {}),
      resultForCreate: qc.resultForCreate === 'test-passes',
      resultForDelete: qc.resultForDelete === 'test-passes',
      requireBoth: qc.requireBoth === true,
      ...(t.fhirPathCriteria
        ? { fhirPath: compileFhirPathCriterion(t.fhirPathCriteria, version, `${label} fhirPathCriteria`) }
        : {}),
    };
    const list = triggersByType.get(t.resourceType) ?? [];
    list.push(compiled);
    triggersByType.set(t.resourceType, list);
  });
  const resourceTypes = new Set([
    ...definition.resourceTriggers.map((t) => t.resourceType),
    ...definition.eventTriggers.map((t) => t.resourceType),
  ]);
  return {
    url: definition.url,
    version,
    definition,
    triggersByType,
    eventTriggers: definition.eventTriggers,
    resourceTypes,
  };
}

function allHold(criteria: CompiledCriteria, view: NonNullable<ChangeState['current']>): boolean {
  return criteria.criteria.every((c) => c.test(view));
}

/**
 * One of the two query tests. The state it reads is absent on create (previous) or delete
 * (current): then resultForCreate / resultForDelete stand in for it.
 */
function stateTest(
  criteria: CompiledCriteria,
  view: ChangeState['current'],
  state: ChangeState,
  standIn: { interaction: 'create' | 'delete'; result: boolean; name: string },
  note: Note,
  label: string,
): boolean {
  const criterion = () => `${label} ${criteria.text}`;
  if (view) return note(criterion, allHold(criteria, view));
  const applies = state.interaction === standIn.interaction;
  return note(
    criterion,
    applies && standIn.result,
    applies ? `${standIn.interaction}: ${standIn.name}` : 'version unknown',
  );
}

/**
 * Whether a resource trigger fires (R5 SubscriptionTopic.resourceTrigger): the interaction is
 * supported, the query criteria hold on the previous and current states as requireBoth,
 * resultForCreate and resultForDelete say, and the FHIRPath criteria hold.
 */
export function triggerFires(trigger: CompiledTrigger, state: ChangeState, reasons?: Reason[]): boolean {
  const note = noter(reasons, () => `${trigger.label}: `);
  const all = reasons !== undefined;
  let ok = true;
  if (trigger.interactions.length > 0) {
    ok = note(
      `supportedInteraction ${trigger.interactions.join('|')}`,
      trigger.interactions.includes(state.interaction),
      state.interaction,
    );
    if (!ok && !all) return false;
  }
  const tests: boolean[] = [];
  if (trigger.previous) {
    const standIn = {
      interaction: 'create' as const,
      result: trigger.resultForCreate,
      name: 'resultForCreate',
    };
    tests.push(stateTest(trigger.previous, state.previous, state, standIn, note, 'queryCriteria.previous'));
  }
  if (trigger.current) {
    const standIn = {
      interaction: 'delete' as const,
      result: trigger.resultForDelete,
      name: 'resultForDelete',
    };
    tests.push(stateTest(trigger.current, state.current, state, standIn, note, 'queryCriteria.current'));
  }
  if (tests.length === 2) {
    const combined = trigger.requireBoth ? tests[0]! && tests[1]! : tests[0]! || tests[1]!;
    ok = note(() => `queryCriteria.requireBoth ${trigger.requireBoth}`, combined) && ok;
  } else if (tests.length === 1) {
    ok = tests[0]! && ok;
  }
  if (!ok && !all) return false;
  if (trigger.fhirPath) {
    const focus = state.current ?? state.previous;
    const passed = trigger.fhirPath.test(focus?.resource, state.current?.resource, state.previous?.resource);
    ok = note(() => `fhirPathCriteria ${trigger.fhirPath!.text}`, passed) && ok;
  }
  return ok;
}
