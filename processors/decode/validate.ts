import type { ChangeEvent, FhirResource, Interaction } from '../contracts.js';
import { ChangeDecodeError } from './errors.js';
import { FHIR_ID, RESOURCE_TYPE } from './key.js';
import { INTERACTIONS, type RawChange } from './types.js';

export interface ValidateContext {
  /** Tenant from the record headers (or its key), used when the value names none. */
  headerTenant?: string;
  /** Firely light events and Smile messages may announce a create/update without its body. */
  allowBodyless: boolean;
}

function where(raw: RawChange): string {
  return raw.at ? `${raw.at}: ` : '';
}

function versionText(v: unknown, raw: RawChange, what: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'string' && v.trim() !== '') return v;
  throw new ChangeDecodeError(
    'invalid-version',
    `${where(raw)}${what} ${JSON.stringify(v)} is not a version id`,
  );
}

function checkIdentity(
  resource: FhirResource | undefined,
  type: string,
  id: string,
  what: string,
  raw: RawChange,
): void {
  if (!resource) return;
  if (resource.resourceType !== type || (resource.id !== undefined && resource.id !== id)) {
    throw new ChangeDecodeError(
      'resource-mismatch',
      `${where(raw)}${what} is ${String(resource.resourceType)}/${String(resource.id)} but the change names ${type}/${id}`,
    );
  }
}

/** Checks one extracted change and builds the canonical ChangeEvent; throws ChangeDecodeError. */
export function validateChange(
  raw: RawChange,
  ctx: ValidateContext,
): { change: ChangeEvent; bodyless: boolean } {
  const interaction = raw.interaction;
  if (typeof interaction !== 'string' || !INTERACTIONS.includes(interaction as Interaction)) {
    throw new ChangeDecodeError(
      'unknown-interaction',
      `${where(raw)}interaction ${JSON.stringify(interaction)} is not create, update or delete`,
    );
  }
  const resource = raw.resource;
  if (resource !== undefined && typeof resource.resourceType !== 'string') {
    throw new ChangeDecodeError('invalid-resource', `${where(raw)}the resource has no resourceType`);
  }
  const resourceType = raw.resourceType ?? resource?.resourceType;
  if (typeof resourceType !== 'string' || resourceType === '') {
    throw new ChangeDecodeError(
      'missing-resource-type',
      `${where(raw)}no resourceType in the change or its resource`,
    );
  }
  if (!RESOURCE_TYPE.test(resourceType)) {
    throw new ChangeDecodeError(
      'invalid-resource-type',
      `${where(raw)}'${resourceType}' is not a FHIR resource type`,
    );
  }
  const id = raw.id ?? resource?.id;
  if (typeof id !== 'string' || id === '') {
    throw new ChangeDecodeError('missing-id', `${where(raw)}no id in the change or its resource`);
  }
  if (!FHIR_ID.test(id)) throw new ChangeDecodeError('invalid-id', `${where(raw)}'${id}' is not a FHIR id`);
  checkIdentity(resource, resourceType, id, 'the resource', raw);
  checkIdentity(raw.previous, resourceType, id, 'the previous version', raw);

  const declared = versionText(raw.versionId, raw, 'versionId');
  const meta = versionText(resource?.meta?.versionId, raw, 'meta.versionId');
  if (declared !== undefined && meta !== undefined && declared !== meta) {
    throw new ChangeDecodeError(
      'version-mismatch',
      `${where(raw)}versionId '${declared}' differs from the resource's meta.versionId '${meta}'`,
    );
  }
  const versionId = declared ?? meta;

  const occurredAt = raw.occurredAt ?? resource?.meta?.lastUpdated;
  if (occurredAt !== undefined && (typeof occurredAt !== 'string' || Number.isNaN(Date.parse(occurredAt)))) {
    throw new ChangeDecodeError(
      'invalid-timestamp',
      `${where(raw)}occurredAt ${JSON.stringify(occurredAt)} is not ISO-8601`,
    );
  }

  const tenant = raw.tenant ?? ctx.headerTenant;
  if (tenant !== undefined && (typeof tenant !== 'string' || tenant === '')) {
    throw new ChangeDecodeError(
      'invalid-tenant',
      `${where(raw)}tenant ${JSON.stringify(tenant)} is not a non-empty string`,
    );
  }

  const bodyless = interaction !== 'delete' && resource === undefined;
  if (bodyless && !ctx.allowBodyless) {
    throw new ChangeDecodeError('missing-resource', `${where(raw)}a ${interaction} must carry the resource`);
  }
  const change: ChangeEvent = {
    interaction: interaction as Interaction,
    resourceType,
    id,
    ...(resource ? { resource } : {}),
    ...(versionId !== undefined ? { versionId } : {}),
    ...(occurredAt !== undefined ? { occurredAt: occurredAt as string } : {}),
    ...(tenant !== undefined ? { tenant: tenant as string } : {}),
    ...(raw.previous ? { previous: raw.previous } : {}),
  };
  return { change, bodyless };
}
