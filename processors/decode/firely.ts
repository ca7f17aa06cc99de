import { ChangeDecodeError } from './errors.js';
import { isObj, readResource, type Obj } from './json.js';
import type { RawChange } from './types.js';

/** Firely Server PubSub events, bare (`{changes}`) or inside the MassTransit envelope (`{messageType, message}`). */
const EVENT_TYPES = /(^|[:/~.])ResourcesChanged(Light)?Event$/;

function envelopeTypes(value: Obj): string[] {
  return Array.isArray(value.messageType)
    ? value.messageType.filter((t): t is string => typeof t === 'string')
    : [];
}

export function isFirely(value: unknown): value is Obj {
  if (!isObj(value)) return false;
  if (envelopeTypes(value).some((t) => EVENT_TYPES.test(t))) return true;
  return Array.isArray(value.changes) && value.changes.some((c) => isObj(c) && 'changeType' in c);
}

export function readFirely(value: Obj): RawChange[] {
  const message = isObj(value.message) ? value.message : value;
  const changes = message.changes;
  if (!Array.isArray(changes)) {
    throw new ChangeDecodeError('unknown-format', 'Firely event has no changes array');
  }
  if (changes.length === 0) throw new ChangeDecodeError('empty-batch', 'Firely event carries no changes');
  return changes.map((c, i): RawChange => {
    const at = `changes[${i}]`;
    if (!isObj(c)) throw new ChangeDecodeError('unknown-format', `${at} is not an object`);
    const ref = isObj(c.reference) ? c.reference : {};
    const changeType = typeof c.changeType === 'string' ? c.changeType.toLowerCase() : c.changeType;
    return {
      at,
      // Firely's upsert reaches the changelog as the update it is for subscribers.
      interaction: changeType === 'upsert' ? 'update' : changeType,
      resourceType: ref.resourceType,
      id: ref.resourceId,
      versionId: ref.version ?? undefined,
      resource: readResource(c.resource, `${at}.resource`),
    };
  });
}
