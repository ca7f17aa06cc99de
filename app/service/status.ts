import type { FhirResource, SubscriptionStatusRecord } from '../../processors/index.js';
import { statusResourceFor, statusSearchBundle, subscriptionStoreKey } from '../../processors/index.js';
import type { ReadOnlyTable } from '../../state/index.js';
import type { StatusService } from '../http/index.js';
import type { SubscriptionCatalog } from '../pipeline/catalog.js';

/**
 * `$status` and `$events`, answered by any instance: the notify stage's status store is read
 * through a replica of its changelog topic (a global table), so no query has to be routed.
 */
export class SubscriptionStatusService implements StatusService {
  constructor(
    private readonly catalog: () => SubscriptionCatalog | undefined,
    private readonly statusView: () => ReadOnlyTable<SubscriptionStatusRecord> | undefined,
    private readonly baseUrl: string,
  ) {}

  private record(id: string, tenant: string | undefined): SubscriptionStatusRecord | undefined {
    const catalog = this.catalog();
    const key = subscriptionStoreKey(id, tenant);
    const sub = catalog?.get(key);
    if (!catalog || !sub) return undefined;
    const stored = this.statusView()?.get(key);
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
    _query: { eventsSinceNumber?: number; eventsUntilNumber?: number },
    tenant?: string,
  ): Promise<FhirResource | undefined> {
    const record = this.record(id, tenant);
    const sub = this.catalog()?.get(subscriptionStoreKey(id, tenant));
    if (!record || !sub) return undefined;
    // Notification bodies are not retained by the engine (the output topics hold them for their
    // retention): the answer carries the status with its event counters and no event entries.
    const status = statusResourceFor({
      sub,
      record,
      baseUrl: this.baseUrl,
      type: 'query-status',
      events: [],
    });
    return { resourceType: 'Bundle', type: 'history', entry: [{ resource: status }] };
  }
}
