import type { FhirResource } from '../contracts.js';
import type { NotificationEvent } from './model.js';
import { json, type Payload, type PayloadContext } from './payload-context.js';
import { absoluteReference, collectReferences, relativeReference, splitReference } from './references.js';

const MESSAGE_CLASS = 'com.systematic.ehealth.event.event';
const EVENT_TYPE = { create: 'created', update: 'updated', delete: 'deleted' } as const;
const IGNORED = new Set(['resourceType', 'id', 'meta', 'text']);

function profileOf(e: NotificationEvent): string {
  const r = e.resource ?? e.previous;
  return (
    r?.meta?.profile?.[0] ?? `http://hl7.org/fhir/StructureDefinition/${splitReference(e.focus.reference)[0]}`
  );
}

/** The patient an event concerns: the resource itself, or its subject/patient reference to a Patient. */
function patientReference(ctx: PayloadContext, e: NotificationEvent): string | undefined {
  if (e.focus.reference.startsWith('Patient/')) return absoluteReference(ctx.baseUrl, e.focus.reference);
  const r = e.resource ?? e.previous;
  if (!r) return undefined;
  const ref = collectReferences(r).find(
    (x) =>
      (x.element === 'subject' || x.element === 'patient') &&
      relativeReference(x.reference)?.startsWith('Patient/'),
  );
  return ref ? absoluteReference(ctx.baseUrl, ref.reference) : undefined;
}

function common(ctx: PayloadContext, e: NotificationEvent, messageType: string) {
  const resourceReference = absoluteReference(ctx.baseUrl, e.focus.reference);
  const patient = patientReference(ctx, e);
  const properties: Record<string, string> = {
    messageType,
    messageVersion: '1.0',
    messageClass: `${MESSAGE_CLASS}.${messageType}`,
    resourceReference,
    resourceProfile: profileOf(e),
    ...(patient ? { patientReference: patient } : {}),
  };
  return { resourceReference, properties };
}

function message(
  body: Record<string, unknown>,
  properties: Record<string, string>,
  destination: string,
  part?: string,
): Payload {
  return {
    body: json(body),
    contentType: 'application/json',
    properties,
    destination,
    ...(part !== undefined ? { part } : {}),
  };
}

/** `EHealthSimpleEvent`, topic `[profile]`; a delete carries the version before deletion. */
export function ehealthSimple(ctx: PayloadContext): Payload[] {
  return ctx.events.map((e) => {
    const { resourceReference, properties } = common(ctx, e, 'EHealthSimpleEvent');
    const eventType = EVENT_TYPE[e.interaction];
    const version =
      e.interaction === 'delete' ? (e.previous?.meta?.versionId ?? e.focus.versionId) : e.focus.versionId;
    const body = {
      messageType: 'EHealthSimpleEvent',
      messageVersion: '1.0',
      eventType,
      resourceReference,
      ...(version !== undefined ? { resourceVersion: version } : {}),
    };
    return message(body, { ...properties, eventType }, profileOf(e), String(e.eventNumber));
  });
}

/** Top-level elements whose value differs between two versions (all present ones when one is missing). */
export function changedElements(
  previous: FhirResource | undefined,
  current: FhirResource | undefined,
): string[] {
  const keys = new Set([...Object.keys(previous ?? {}), ...Object.keys(current ?? {})]);
  return [...keys]
    .filter((k) => !IGNORED.has(k) && !k.startsWith('_'))
    .filter((k) => JSON.stringify(previous?.[k]) !== JSON.stringify(current?.[k]))
    .sort();
}

/** `EHealthContextEvent`, one per changed element, topic `[profile].[element]`. */
export function ehealthContext(ctx: PayloadContext): Payload[] {
  return ctx.events.flatMap((e) => {
    const current = e.interaction === 'delete' ? undefined : e.resource;
    const previous = e.interaction === 'create' ? undefined : e.previous;
    const { resourceReference, properties } = common(ctx, e, 'EHealthContextEvent');
    const eventType = EVENT_TYPE[e.interaction];
    const status = (e.resource ?? e.previous)?.status;
    return changedElements(previous, current).map((context) => {
      const body = {
        messageType: 'EHealthContextEvent',
        messageVersion: '1.0',
        eventType,
        resourceReference,
        ...(e.focus.versionId !== undefined ? { resourceVersion: e.focus.versionId } : {}),
        context,
        ...(typeof status === 'string' ? { status } : {}),
      };
      return message(
        body,
        { ...properties, eventType, context },
        `${profileOf(e)}.${context}`,
        `${e.eventNumber}:${context}`,
      );
    });
  });
}

function referencesByElement(ctx: PayloadContext, r: FhirResource | undefined): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  if (!r) return out;
  for (const { element, reference } of collectReferences(r)) {
    const set = out.get(element) ?? new Set<string>();
    set.add(absoluteReference(ctx.baseUrl, reference));
    out.set(element, set);
  }
  return out;
}

/** `EHealthReferenceEvent`: per element, one message for references added and one for removed. */
export function ehealthReference(ctx: PayloadContext): Payload[] {
  return ctx.events.flatMap((e) => {
    const before = referencesByElement(ctx, e.interaction === 'create' ? undefined : e.previous);
    const after = referencesByElement(ctx, e.interaction === 'delete' ? undefined : e.resource);
    const { resourceReference, properties } = common(ctx, e, 'EHealthReferenceEvent');
    const out: Payload[] = [];
    for (const element of [...new Set([...before.keys(), ...after.keys()])].sort()) {
      const b = before.get(element) ?? new Set<string>();
      const a = after.get(element) ?? new Set<string>();
      const diffs: ['reference_added' | 'reference_removed', string[]][] = [
        ['reference_added', [...a].filter((x) => !b.has(x))],
        ['reference_removed', [...b].filter((x) => !a.has(x))],
      ];
      for (const [eventType, references] of diffs) {
        if (references.length === 0) continue;
        const body = {
          messageType: 'EHealthReferenceEvent',
          messageVersion: '1.0',
          eventType,
          resourceReference,
          ...(e.focus.versionId !== undefined ? { resourceVersion: e.focus.versionId } : {}),
          resourceElement: element,
          references,
        };
        out.push(
          message(
            body,
            { ...properties, eventType, resourceElement: element },
            `${profileOf(e)}.${element}`,
            `${e.eventNumber}:${element}:${eventType}`,
          ),
        );
      }
    }
    return out;
  });
}
