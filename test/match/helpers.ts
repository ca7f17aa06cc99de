import { expect } from 'vitest';
import type { FhirResource, FhirVersion, VersionedChange } from '../../processors/index.js';
import { CompileError } from '../../state/index.js';
import { compileCriteria, ResourceView } from '../../processors/index.js';

/** A fixed clock for `ap` and `end`: 2024-06-01T00:00:00Z. */
export const NOW = Date.UTC(2024, 5, 1);

/** Whether every parameter of `criteria` holds on `resource`. */
export function holds(criteria: string, resource: FhirResource, version: FhirVersion = 'R4'): boolean {
  const compiled = compileCriteria(criteria, { version, now: () => NOW });
  const view = new ResourceView(resource);
  return compiled.criteria.every((c) => c.test(view));
}

/** Asserts that compiling `criteria` is refused with a message naming `part`. */
export function expectRefused(criteria: string, part: string, version: FhirVersion = 'R4'): void {
  let error: unknown;
  try {
    compileCriteria(criteria, { version, now: () => NOW });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(CompileError);
  expect((error as Error).message).toContain(part);
}

export function change(
  interaction: 'create' | 'update' | 'delete',
  current: FhirResource | undefined,
  previous?: FhirResource,
  tenant?: string,
): VersionedChange {
  const focus = current ?? previous!;
  return {
    change: {
      interaction,
      resourceType: focus.resourceType,
      id: focus.id ?? 'x',
      ...(current ? { resource: current } : {}),
      ...(tenant !== undefined ? { tenant } : {}),
      occurredAt: new Date(NOW).toISOString(),
    },
    ...(current ? { current } : {}),
    ...(previous ? { previous } : {}),
  };
}

export function r4Subscription(
  id: string,
  criteria: string,
  extra: Record<string, unknown> = {},
): FhirResource {
  return {
    resourceType: 'Subscription',
    id,
    status: 'active',
    criteria,
    channel: { type: 'rest-hook', endpoint: 'https://example.org/hook', payload: 'application/fhir+json' },
    ...extra,
  };
}

export function r5Subscription(
  id: string,
  topic: string,
  filterBy: Record<string, unknown>[] = [],
  extra: Record<string, unknown> = {},
): FhirResource {
  return {
    resourceType: 'Subscription',
    id,
    status: 'active',
    topic,
    filterBy,
    channelType: { code: 'rest-hook' },
    endpoint: 'https://example.org/hook',
    content: 'id-only',
    ...extra,
  };
}
