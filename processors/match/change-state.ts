import type { FhirResource, Interaction, VersionedChange } from '../contracts.js';
import { ResourceView } from './types.js';

/** The two states of a resource around one change, as topic triggers read them. */
export interface ChangeState {
  interaction: Interaction;
  resourceType: string;
  /** The state after the change; absent for a delete (R5 `current` tests use resultForDelete). */
  current?: ResourceView;
  /** The state before the change; absent for a create. For a delete, the deleted version. */
  previous?: ResourceView;
  /** What filters and classic criteria test: the resource after the change, or the deleted version. */
  focus?: ResourceView;
  /** When matching started, for changes that do not say when they happened. */
  seenAt: number;
}

export function changeState(vc: VersionedChange, seenAt: number): ChangeState {
  const { change } = vc;
  const focusResource: FhirResource | undefined =
    vc.current ?? change.resource ?? vc.previous ?? change.previous;
  const focus = focusResource ? new ResourceView(focusResource) : undefined;
  const before = vc.previous ?? change.previous;
  if (change.interaction === 'delete') {
    const deleted = before ?? focusResource;
    return {
      interaction: 'delete',
      resourceType: change.resourceType,
      seenAt,
      ...(deleted ? { previous: deleted === focusResource ? focus! : new ResourceView(deleted) } : {}),
      ...(focus ? { focus } : {}),
    };
  }
  return {
    interaction: change.interaction,
    resourceType: change.resourceType,
    seenAt,
    ...(focus ? { current: focus, focus } : {}),
    ...(change.interaction === 'update' && before ? { previous: new ResourceView(before) } : {}),
  };
}
