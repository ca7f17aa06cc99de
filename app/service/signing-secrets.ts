import type { FhirResource } from '../../processors/index.js';
import { normalizeSubscription, subscriptionStoreKey } from '../../processors/index.js';
import type { ReadOnlyTable } from '../../state/index.js';

/**
 * The rest-hook sink's signing secret per subscription (its id and tenant), read from the
 * subscriptions table.
 * The table holds decoded resources and puts a new object in place when a subscription changes,
 * so the secret is worked out once per resource object (a whole normalisation, too much to repeat
 * for every notification) and an updated or deleted subscription is never answered from the cache.
 */
export function signingSecrets(
  table: ReadOnlyTable<FhirResource>,
): (subscriptionId: string, tenant?: string) => string | undefined {
  // null: the resource has no secret (or cannot be read).
  const byResource = new WeakMap<FhirResource, string | null>();
  return (subscriptionId, tenant) => {
    const resource = table.get(subscriptionStoreKey(subscriptionId, tenant));
    if (!resource) return undefined;
    let secret = byResource.get(resource);
    if (secret === undefined) {
      try {
        secret = normalizeSubscription(resource).options.signingSecret ?? null;
      } catch {
        secret = null; // an unreadable subscription never reached a sink: it was refused at the API
      }
      byResource.set(resource, secret);
    }
    return secret ?? undefined;
  };
}
