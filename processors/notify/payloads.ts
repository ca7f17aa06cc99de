import type { NormalizedSubscription } from '../subscription/index.js';
import { backportNotificationBundle, r5NotificationBundle } from './bundles.js';
import { classicPayload } from './classic.js';
import type { Payload, PayloadContext } from './payload-context.js';
import { ehealthContext, ehealthReference, ehealthSimple } from './vendor-ehealth.js';
import { firelyPayload } from './vendor-firely.js';
import { smilePayload } from './vendor-smile.js';

/** Every payload shape a notification can take. */
export type PayloadKind =
  | 'r5-bundle'
  | 'r4b-bundle'
  | 'r4-backport-bundle'
  | 'r4-classic'
  | 'smile'
  | 'firely'
  | 'ehealth-simple'
  | 'ehealth-context'
  | 'ehealth-reference';

/** The shape a subscription asked for: its payload-format extension first, else its FHIR flavor. */
export function payloadKind(sub: NormalizedSubscription): PayloadKind {
  switch (sub.options.payloadFormat) {
    case 'smile-resource-modified':
      return 'smile';
    case 'firely-resources-changed':
      return 'firely';
    case 'ehealth-simple':
    case 'ehealth-context':
    case 'ehealth-reference':
      return sub.options.payloadFormat;
    case 'fhir':
      break;
  }
  if (sub.flavor === 'r5-topic') return 'r5-bundle';
  if (sub.flavor === 'backport') return sub.fhirVersion === 'R4B' ? 'r4b-bundle' : 'r4-backport-bundle';
  return 'r4-classic';
}

/** Topic-based shapes have handshakes, heartbeats and a status resource; the others only events. */
export function hasStatusNotifications(kind: PayloadKind): boolean {
  return kind === 'r5-bundle' || kind === 'r4b-bundle' || kind === 'r4-backport-bundle';
}

/**
 * Whether a shape reads the version before the change when the event has its resource: only the
 * eHealth diffs (changed elements, references added and removed). Every shape falls back on the
 * previous version when there is no resource, so a match without one keeps it regardless.
 */
export function usesPrevious(kind: PayloadKind): boolean {
  return kind === 'ehealth-context' || kind === 'ehealth-reference';
}

/** How many events one notification may carry: maxCount for shapes that batch, else one. */
export function eventsPerNotification(sub: NormalizedSubscription, kind: PayloadKind): number {
  const batches = hasStatusNotifications(kind) || kind === 'firely';
  return batches ? Math.max(1, sub.maxCount ?? 1) : 1;
}

export function buildPayloads(kind: PayloadKind, ctx: PayloadContext): Payload[] {
  switch (kind) {
    case 'r5-bundle':
      return [r5NotificationBundle(ctx)];
    case 'r4b-bundle':
    case 'r4-backport-bundle':
      return [backportNotificationBundle(ctx)];
    case 'r4-classic':
      return classicPayload(ctx);
    case 'smile':
      return smilePayload(ctx);
    case 'firely':
      return firelyPayload(ctx);
    case 'ehealth-simple':
      return ehealthSimple(ctx);
    case 'ehealth-context':
      return ehealthContext(ctx);
    case 'ehealth-reference':
      return ehealthReference(ctx);
  }
}
