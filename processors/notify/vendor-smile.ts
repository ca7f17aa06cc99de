import type { FhirResource } from '../contracts.js';
import { splitReference } from './references.js';
import type { NotificationEvent } from './model.js';
import { json, type Payload, type PayloadContext } from './payload-context.js';
import { applyDeliveryOptions, deliveredId } from './transform.js';

const OPERATION = { create: 'CREATE', update: 'UPDATE', delete: 'DELETE' } as const;

/** Header lines (`Name: value`, split at the first colon) as a map; repeated names become lists. */
export function parseHeaderLines(lines: readonly string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim();
    const value = line.slice(i + 1).trim();
    const prev = out[name];
    out[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

/** Credentials stay out of record headers that anyone reading the topic sees. */
function withoutCredentials(headers: Record<string, string | string[]>): Record<string, string | string[]> {
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => !/^(authorization|proxy-authorization)$/i.test(name)),
  );
}

function tags(resource: FhirResource | undefined): string[] {
  return (resource?.meta?.tag ?? []).map((t) => `${t.system ?? ''}|${t.code ?? ''}`);
}

function message(ctx: PayloadContext, e: NotificationEvent): Payload {
  const [type, rawId] = splitReference(e.focus.reference);
  const id = deliveredId(type, rawId, ctx.sub);
  const version = ctx.sub.options.stripVersionIds ? undefined : e.focus.versionId;
  const payloadId = `${type}/${id}${version !== undefined ? `/_history/${version}` : ''}`;
  const withBody = ctx.sub.content === 'full-resource' && e.resource && e.interaction !== 'delete';
  const customHeaders: Record<string, string | string[]> = {
    // Kafka channels carry the subscription's header lines as record headers; elsewhere they are credentials.
    ...(ctx.sub.channel.type === 'kafka'
      ? withoutCredentials(parseHeaderLines(ctx.sub.channel.headers))
      : {}),
    resourceType: type,
    resourceId: payloadId,
  };
  const tagList = tags(e.resource);
  if (tagList.length > 0) customHeaders.tag = tagList;
  const body = {
    headers: { retryCount: 0, customHeaders },
    payload: {
      operationType: OPERATION[e.interaction],
      transactionId: ctx.notificationId,
      ...(withBody ? { payload: JSON.stringify(applyDeliveryOptions(e.resource!, ctx.sub)) } : {}),
      payloadId,
      partitionId: ctx.sub.tenant
        ? { allPartitions: false, partitionNames: [ctx.sub.tenant] }
        : { allPartitions: true },
      subscriptionId: `Subscription/${ctx.sub.id}`,
    },
  };
  return { body: json(body), contentType: 'application/json', properties: customHeaders };
}

/** Smile CDR `ResourceModifiedMessage`, one per event; custom headers become transport headers. */
export function smilePayload(ctx: PayloadContext): Payload[] {
  return ctx.events.map((e) => message(ctx, e));
}
