import { json, type Payload, type PayloadContext } from './payload-context.js';
import { splitReference } from './references.js';
import { applyDeliveryOptions, deliveredId } from './transform.js';

const NS = 'urn:message:Firely.Server.Contracts.Messages.V1';

/**
 * Firely PubSub event in the MassTransit envelope: `ResourcesChangedEvent` with the resources as
 * JSON strings for full-resource content, `ResourcesChangedLightEvent` otherwise. The events of a
 * notification travel as one batch, as Firely publishes them.
 */
export function firelyPayload(ctx: PayloadContext): Payload[] {
  const full = ctx.sub.content === 'full-resource';
  const messageType = full ? 'ResourcesChangedEvent' : 'ResourcesChangedLightEvent';
  const changes = ctx.events.map((e) => {
    const [type, rawId] = splitReference(e.focus.reference);
    return {
      reference: {
        resourceType: type,
        resourceId: deliveredId(type, rawId, ctx.sub),
        version: ctx.sub.options.stripVersionIds ? null : (e.focus.versionId ?? null),
      },
      ...(full && e.resource ? { resource: JSON.stringify(applyDeliveryOptions(e.resource, ctx.sub)) } : {}),
      changeType: e.interaction,
    };
  });
  const envelope = {
    messageId: ctx.notificationId,
    messageType: [`${NS}:${messageType}`],
    headers: { 'fhir-release': ctx.sub.fhirVersion === 'R4B' ? 'R4' : ctx.sub.fhirVersion },
    message: { changes },
  };
  return [
    {
      body: json(envelope),
      contentType: 'application/vnd.masstransit+json',
      properties: { MessageType: `${NS}:${messageType}`, 'fhir-release': envelope.headers['fhir-release'] },
    },
  ];
}
