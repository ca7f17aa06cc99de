import type { Notification } from '../../processors/index.js';

/** A small notification bundle: the benchmarks measure delivery, not payload size. */
const body = JSON.stringify({
  resourceType: 'Bundle',
  type: 'subscription-notification',
  entry: [{ fullUrl: 'Patient/1' }],
});

/** Notifications on `channel`, one per subscription and event number, as the delivery stage sees them. */
export function benchNotification(
  channel: Notification['channel'],
): (subscriptionId: string, eventNumber: number) => Notification {
  return (subscriptionId, eventNumber) => ({
    subscriptionId,
    eventNumber,
    type: 'event-notification',
    channel,
    body,
    contentType: 'application/fhir+json',
    notificationId: `${subscriptionId}-${eventNumber}`,
    occurredAt: new Date().toISOString(),
    createdAt: new Date().toISOString(),
  });
}
