import type { EventsQuery, FhirResource, SubscriptionStatusRecord } from '../../processors/index.js';
import {
  eventsBundle,
  gapText,
  missingEvents,
  statusSearchBundle,
  subscriptionStoreKey,
} from '../../processors/index.js';
import type { ReadOnlyTable } from '../../state/index.js';
import { HttpError } from '../http/index.js';
import type { EventsContent, EventsRequest, IssueCode, StatusService } from '../http/index.js';
import type { EventsLocation, EventsLocator, ForwardedAnswer } from './event-routing.js';
import { forwardEvents } from './event-routing.js';
import type { SubscriptionCatalog } from '../pipeline/catalog.js';

/**
 * `$status` and `$events`, answered by any instance. `$status` reads the notify stage's status
 * store through a replica of its changelog topic (a global table), so it is never routed;
 * `$events` reads retained events where they are kept, routing to the owner (event-routing.ts).
 */
export class SubscriptionStatusService implements StatusService {
  constructor(
    private readonly catalog: () => SubscriptionCatalog | undefined,
    private readonly statusView: () => ReadOnlyTable<SubscriptionStatusRecord> | undefined,
    private readonly baseUrl: string,
    /** Finds the instance holding a subscription's retained events; none: not retained. */
    private readonly locator?: EventsLocator,
    /** EVENTS_RETAINED, for the explanation of events no longer kept. */
    private readonly retained = 0,
  ) {}

  private record(
    id: string,
    tenant: string | undefined,
    local?: SubscriptionStatusRecord,
  ): SubscriptionStatusRecord | undefined {
    const catalog = this.catalog();
    const key = subscriptionStoreKey(id, tenant);
    const sub = catalog?.get(key);
    if (!catalog || !sub) return undefined;
    const stored = local ?? this.statusView()?.get(key);
    const outcome = catalog.outcome(key);
    const base: SubscriptionStatusRecord = stored ?? {
      subscriptionId: id,
      ...(tenant !== undefined ? { tenant } : {}),
      status: sub.status === 'off' ? 'off' : 'requested',
      eventsSinceSubscriptionStart: 0,
      startedAt: new Date().toISOString(),
      lastDeliveredEventNumber: 0,
      consecutiveFailures: 0,
      errors: [],
      recent: '',
    };
    // A subscription that does not compile is in error whatever the store says, with the reason.
    if (outcome?.status === 'error') {
      return {
        ...base,
        status: 'error',
        errors: [...base.errors, { at: new Date().toISOString(), message: outcome.error.message }].slice(-5),
      };
    }
    return base;
  }

  async status(id: string, tenant?: string): Promise<FhirResource | undefined> {
    const record = this.record(id, tenant);
    const sub = this.catalog()?.get(subscriptionStoreKey(id, tenant));
    if (!record || !sub) return undefined;
    return statusSearchBundle([{ sub, record, baseUrl: this.baseUrl }]);
  }

  async events(
    id: string,
    query: { eventsSinceNumber?: number; eventsUntilNumber?: number; content?: EventsContent },
    tenant?: string,
    request?: EventsRequest,
  ): Promise<FhirResource | undefined> {
    const key = subscriptionStoreKey(id, tenant);
    const sub = this.catalog()?.get(key);
    if (!sub) return undefined;
    const q: EventsQuery = {
      ...(query.eventsSinceNumber !== undefined ? { since: query.eventsSinceNumber } : {}),
      ...(query.eventsUntilNumber !== undefined ? { until: query.eventsUntilNumber } : {}),
      ...(query.content !== undefined ? { content: query.content } : {}),
    };
    const location: EventsLocation = this.locator
      ? await this.locator.locate(key)
      : { kind: 'unavailable', reason: 'events are not retained by this process' };
    if (location.kind === 'remote') {
      if (request?.forwarded) {
        throw new HttpError(503, 'transient', `Subscription/${id} moved while the request was routed; retry`);
      }
      return this.routed(location.baseUrl, request, tenant, id);
    }
    if (location.kind === 'unavailable') throw new HttpError(503, 'transient', location.reason);
    const found = await location.notify.eventsOf(id, tenant, q);
    const record = this.record(id, tenant, found?.record);
    if (!record) return undefined;
    const events = found?.events ?? [];
    const gap = missingEvents(q, record.eventsSinceSubscriptionStart, events);
    if (gap && events.length === 0) {
      throw new HttpError(
        410,
        'not-found',
        `${gapText(gap)}: the last ${this.retained} events of each subscription are kept` +
          ` (events since subscription start: ${record.eventsSinceSubscriptionStart})`,
      );
    }
    return eventsBundle({
      sub,
      record,
      events,
      query: q,
      baseUrl: this.baseUrl,
      now: new Date(),
      ...(gap ? { gap } : {}),
    });
  }

  private async routed(
    baseUrl: string,
    request: EventsRequest | undefined,
    tenant: string | undefined,
    id: string,
  ): Promise<FhirResource | undefined> {
    const path = request?.url ?? `/fhir/Subscription/${encodeURIComponent(id)}/$events`;
    let answer: ForwardedAnswer;
    try {
      answer = await forwardEvents(baseUrl, path, {
        ...(request?.authorization ? { authorization: request.authorization } : {}),
        ...(tenant !== undefined ? { tenant } : {}),
      });
    } catch (error) {
      throw new HttpError(
        503,
        'transient',
        `the instance holding Subscription/${id}'s events (${baseUrl}) did not answer: ${(error as Error).message}`,
      );
    }
    if (answer.status === 200) return answer.body as FhirResource;
    if (answer.status === 404) return undefined;
    const outcome = answer.body as { issue?: { code?: IssueCode; diagnostics?: string }[] } | undefined;
    const issue = outcome?.issue?.[0];
    throw new HttpError(
      answer.status,
      issue?.code ?? 'exception',
      issue?.diagnostics ?? `the owning instance answered ${answer.status}`,
    );
  }
}
