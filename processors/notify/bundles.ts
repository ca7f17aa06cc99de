import type { FhirResource } from '../contracts.js';
import { splitReference } from './references.js';
import type { NotificationEvent } from './model.js';
import { fhirJsonType, json, type Payload, type PayloadContext } from './payload-context.js';
import { stableId } from './ids.js';
import { statusResourceFor } from './status-resource.js';
import { applyDeliveryOptions, deliveredId } from './transform.js';

type Entry = Record<string, unknown>;

const REQUEST: Record<NotificationEvent['interaction'], { method: string; status: string }> = {
  create: { method: 'POST', status: '201' },
  update: { method: 'PUT', status: '200' },
  delete: { method: 'DELETE', status: '204' },
};

function focusEntry(ctx: PayloadContext, e: NotificationEvent, withResource: boolean): Entry {
  const [type, rawId] = splitReference(e.focus.reference);
  const id = deliveredId(type, rawId, ctx.sub);
  const r = REQUEST[e.interaction];
  const resource =
    withResource && e.interaction !== 'delete' && e.resource
      ? applyDeliveryOptions(e.resource, ctx.sub)
      : undefined;
  return {
    fullUrl: `${ctx.baseUrl}/${type}/${id}`,
    ...(resource ? { resource } : {}),
    // History bundles require request and response on every entry (bdl-3, bdl-4).
    request: { method: r.method, url: e.interaction === 'create' ? type : `${type}/${id}` },
    response: { status: r.status },
  };
}

function contextEntry(ctx: PayloadContext, c: FhirResource, withResource: boolean): Entry {
  const id = deliveredId(c.resourceType, c.id ?? '', ctx.sub);
  return {
    fullUrl: `${ctx.baseUrl}/${c.resourceType}/${id}`,
    ...(withResource ? { resource: applyDeliveryOptions(c, ctx.sub) } : {}),
    request: { method: 'GET', url: `${c.resourceType}/${id}` },
    response: { status: '200' },
  };
}

/**
 * The entries after the status: none for `empty`; for `full-resource` the focus (a delete keeps
 * only its request) and the shape's additional resources; for `id-only` the same entries without
 * resource in R5, and nothing in the backport (its references travel in the status parameters).
 */
function resourceEntries(ctx: PayloadContext, idOnlyEntries: boolean): Entry[] {
  const content = ctx.sub.content;
  const carriesEvents = ctx.type === 'event-notification' || ctx.type === 'query-event';
  if (!carriesEvents || content === 'empty') return [];
  if (content === 'id-only' && !idOnlyEntries) return [];
  const full = content === 'full-resource';
  const seen = new Set<string>();
  const out: Entry[] = [];
  for (const e of ctx.events) {
    for (const entry of [
      focusEntry(ctx, e, full),
      ...e.additionalContext.map((c) => contextEntry(ctx, c, full)),
    ]) {
      const key = `${String(entry.fullUrl)}|${JSON.stringify(entry.request)}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push(entry);
      }
    }
  }
  return out;
}

function statusEntry(ctx: PayloadContext, history: boolean): Entry {
  const id = stableId(ctx.notificationId, 'status');
  const resource = statusResourceFor({ ...ctx, id });
  return {
    fullUrl: `urn:uuid:${id}`,
    resource,
    ...(history
      ? {
          request: {
            method: 'GET',
            url: `${ctx.baseUrl}/Subscription/${ctx.sub.id}/${ctx.type === 'query-event' ? '$events' : '$status'}`,
          },
          response: { status: '200' },
        }
      : {}),
  };
}

/** R5: a `subscription-notification` Bundle, SubscriptionStatus first. */
export function r5Bundle(ctx: PayloadContext): FhirResource {
  return {
    resourceType: 'Bundle',
    id: ctx.notificationId,
    type: 'subscription-notification',
    timestamp: ctx.now,
    entry: [statusEntry(ctx, false), ...resourceEntries(ctx, true)],
  };
}

export function r5NotificationBundle(ctx: PayloadContext): Payload {
  return { body: json(r5Bundle(ctx)), contentType: fhirJsonType(ctx.sub), method: 'POST' };
}

const BACKPORT_PROFILE = 'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition';

/**
 * R4B and R4 backport: a `history` Bundle whose first entry is the status (SubscriptionStatus in
 * R4B, Parameters in R4) with a request to `Subscription/{id}/$status`.
 */
export function backportBundle(ctx: PayloadContext): FhirResource {
  const r4 = ctx.sub.fhirVersion === 'R4';
  return {
    resourceType: 'Bundle',
    id: ctx.notificationId,
    meta: { profile: [`${BACKPORT_PROFILE}/backport-subscription-notification-${r4 ? 'r4' : 'r4b'}`] },
    type: 'history',
    timestamp: ctx.now,
    entry: [statusEntry(ctx, true), ...resourceEntries(ctx, false)],
  };
}

export function backportNotificationBundle(ctx: PayloadContext): Payload {
  return { body: json(backportBundle(ctx)), contentType: fhirJsonType(ctx.sub), method: 'POST' };
}
