import type { FhirResource } from '../contracts.js';
import type { NormalizedSubscription, PayloadContent } from '../subscription/index.js';
import { backportBundle, r5Bundle } from './bundles.js';
import type { RetainedEvent } from './event-log.js';
import { stableId } from './ids.js';
import type { SubscriptionStatusRecord } from './model.js';

const CONTENT_ORDER: readonly PayloadContent[] = ['empty', 'id-only', 'full-resource'];

/** `$events` may lower the subscription's content, never raise it (fuller content was not retained). */
export function effectiveContent(sub: PayloadContent, requested: PayloadContent | undefined): PayloadContent {
  if (requested === undefined) return sub;
  return CONTENT_ORDER.indexOf(requested) < CONTENT_ORDER.indexOf(sub) ? requested : sub;
}

export interface EventsQuery {
  since?: number;
  until?: number;
  content?: PayloadContent;
}

/** Which of the asked event numbers are no longer retained (older than the oldest kept). */
export interface EventsGap {
  from: number;
  to: number;
}

/**
 * The event numbers asked for that existed but are no longer retained: those below the oldest
 * retained one (or all of them when none of the range is retained). Undefined when none is missing.
 */
export function missingEvents(
  query: EventsQuery,
  last: number,
  events: readonly RetainedEvent[],
): EventsGap | undefined {
  const from = Math.max(1, query.since ?? 1);
  const to = Math.min(last, query.until ?? last);
  if (to < from) return undefined;
  const oldest = events[0]?.eventNumber ?? to + 1;
  return oldest > from ? { from, to: oldest - 1 } : undefined;
}

export interface EventsBundleInput {
  sub: NormalizedSubscription;
  record: SubscriptionStatusRecord;
  events: RetainedEvent[];
  query: EventsQuery;
  baseUrl: string;
  now: Date;
  /** Events asked for but no longer retained: reported in Bundle.issues (R5). */
  gap?: EventsGap;
}

/**
 * The `$events` answer: the notification bundle of the subscription's FHIR version whose status
 * has type `query-event` and lists the retained events of the range with their focus (R5: a
 * `subscription-notification` Bundle; R4B and R4 backport: a `history` Bundle with
 * SubscriptionStatus or the status Parameters first).
 */
export function eventsBundle(input: EventsBundleInput): FhirResource {
  const content = effectiveContent(input.sub.content, input.query.content);
  const sub = content === input.sub.content ? input.sub : { ...input.sub, content };
  const numbers = input.events.map((e) => e.eventNumber);
  const ctx = {
    sub,
    record: input.record,
    type: 'query-event' as const,
    events: input.events,
    notificationId: stableId(
      sub.tenant,
      sub.id,
      input.record.startedAt,
      'query-event',
      numbers.join(','),
      content,
    ),
    now: input.now.toISOString(),
    baseUrl: input.baseUrl.replace(/\/+$/, ''),
  };
  if (sub.fhirVersion !== 'R5') return backportBundle(ctx);
  const bundle = r5Bundle(ctx);
  if (!input.gap) return bundle;
  // R5 Bundle.issues: the events of the range this server no longer keeps.
  return {
    ...bundle,
    issues: {
      resourceType: 'OperationOutcome',
      issue: [
        {
          severity: 'warning',
          code: 'not-found',
          diagnostics: gapText(input.gap),
        },
      ],
    },
  };
}

export function gapText(gap: EventsGap): string {
  const which = gap.from === gap.to ? `event ${gap.from} is` : `events ${gap.from} to ${gap.to} are`;
  return `${which} no longer retained`;
}
