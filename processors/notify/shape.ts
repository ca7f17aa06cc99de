import type { FhirResource } from '../contracts.js';
import { collectReferences, relativeReference } from './references.js';

/** SubscriptionTopic.notificationShape for one resource type: `_include` / `_revinclude` values. */
export interface NotificationShape {
  include: string[];
  revInclude: string[];
}

// Common search parameters whose element name differs from the parameter name.
const PARAM_ELEMENTS: Record<string, string[]> = {
  patient: ['subject', 'patient', 'beneficiary'],
  subject: ['subject'],
  encounter: ['encounter', 'context'],
  performer: ['performer', 'participant'],
  requester: ['requester'],
  organization: ['managingOrganization', 'organization', 'serviceProvider'],
};

function elementsFor(param: string): string[] | '*' {
  if (param === '*') return '*';
  // Otherwise the element is usually the parameter in camelCase (service-provider → serviceProvider).
  return PARAM_ELEMENTS[param] ?? [param.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())];
}

function refOf(r: FhirResource): string | undefined {
  return r.id !== undefined ? `${r.resourceType}/${r.id}` : undefined;
}

function points(from: FhirResource, to: FhirResource, param: string): boolean {
  const target = refOf(to);
  const elements = elementsFor(param);
  return collectReferences(from).some(
    (x) => (elements === '*' || elements.includes(x.element)) && relativeReference(x.reference) === target,
  );
}

/**
 * Picks, among the resources at hand, those the notificationShape asks for: `Type:param[:Target]`
 * includes resources the focus references through `param`; revInclude `Type:param` adds resources
 * of `Type` that reference the focus through `param`. Nothing is fetched: a resource not at hand
 * is simply not included. Order follows the shape, duplicates removed.
 */
export function selectAdditionalContext(
  focus: FhirResource | undefined,
  candidates: readonly FhirResource[],
  shape: NotificationShape | undefined,
): FhirResource[] {
  if (!focus || !shape || candidates.length === 0) return [];
  const out = new Map<string, FhirResource>();
  const focusRef = refOf(focus);
  for (const inc of shape.include) {
    const [type, param, target] = inc.split(':');
    if (type !== focus.resourceType || !param) continue;
    for (const c of candidates) {
      const ref = refOf(c);
      if (ref && ref !== focusRef && (!target || c.resourceType === target) && points(focus, c, param))
        out.set(ref, c);
    }
  }
  for (const rev of shape.revInclude) {
    const [type, param] = rev.split(':');
    if (!type || !param) continue;
    for (const c of candidates) {
      const ref = refOf(c);
      if (ref && ref !== focusRef && c.resourceType === type && points(c, focus, param)) out.set(ref, c);
    }
  }
  return [...out.values()];
}
