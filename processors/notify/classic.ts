import { fhirJsonType, json, type Payload, type PayloadContext } from './payload-context.js';
import { splitReference } from './references.js';
import { applyDeliveryOptions, deliveredId } from './transform.js';

/**
 * Classic R4 rest-hook: with a payload mime type, PUT the resource to `[endpoint]/[type]/[id]`
 * (a delete, sent only with send-delete-messages, is a DELETE there); without one, an empty POST
 * to the endpoint. Message and Kafka channels get the resource itself as the message body.
 */
export function classicPayload(ctx: PayloadContext): Payload[] {
  const e = ctx.events[0];
  if (!e) return [];
  const [type, rawId] = splitReference(e.focus.reference);
  const id = deliveredId(type, rawId, ctx.sub);
  const mime = ctx.sub.channel.payloadMimeType;
  if (!mime) return [{ body: null, contentType: null, method: 'POST' }];
  if (e.interaction === 'delete')
    return [{ body: null, contentType: null, method: 'DELETE', path: `/${type}/${id}` }];
  if (!e.resource) return [{ body: null, contentType: null, method: 'POST' }];
  // Bodies are JSON: an XML payload type is answered with FHIR JSON, which FHIR servers accept.
  return [
    {
      body: json(applyDeliveryOptions(e.resource, ctx.sub)),
      contentType: fhirJsonType(ctx.sub),
      method: 'PUT',
      path: `/${type}/${id}`,
    },
  ];
}
