import { isObj, readResource, type Obj } from './json.js';
import type { RawChange } from './types.js';

/** The canonical ChangeEvent (DESIGN.md section 2), as JSON or as a schema-registry decoded object. */
export function isCanonical(value: unknown): value is Obj {
  return isObj(value) && 'interaction' in value && ('resourceType' in value || 'resource' in value);
}

export function readCanonical(value: Obj): RawChange[] {
  return [
    {
      interaction: value.interaction,
      resourceType: value.resourceType,
      id: value.id,
      versionId: value.versionId,
      resource: readResource(value.resource, 'resource'),
      previous: readResource(value.previous, 'previous'),
      occurredAt: value.occurredAt,
      tenant: value.tenant,
    },
  ];
}
