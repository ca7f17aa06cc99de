/**
 * Reads the service's notification topics back as a transactional consumer sees them
 * (isolation read_committed: records of aborted transactions are skipped) and counts duplicates
 * three ways: the same notification id twice, the same subscription and event number twice, and the
 * same subscription notified of the same focus version twice (under a new number). It also counts the
 * expected notifications that are not in the topics at all.
 */
import { Kafka, logLevel } from 'kafkajs';
import { identifyArrival, type ExpectedLedger } from '../../bench/harness/index.js';

export interface OutputAudit {
  /** Records read (committed only). */
  records: number;
  eventNotifications: number;
  duplicateIds: number;
  duplicateEventNumbers: number;
  duplicateFocus: number;
  /** Expected (subscription, focus version) pairs with no event notification in the topics. */
  missing: number;
}

interface NotificationRecord {
  subscriptionId?: string;
  eventNumber?: number;
  type?: string;
  notificationId?: string;
  body?: unknown;
}

/** Reads the topics from the beginning until `quietMs` pass without a record. */
export async function auditOutputTopics(options: {
  brokers: string[];
  topics: string[];
  expected: ExpectedLedger;
  groupId: string;
  quietMs?: number;
}): Promise<OutputAudit> {
  const kafka = new Kafka({
    clientId: 'substream-fault-audit',
    brokers: options.brokers,
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({ groupId: options.groupId, readUncommitted: false });
  const ids = new Set<string>();
  const numbers = new Set<string>();
  const focus = new Set<string>();
  const audit: OutputAudit = {
    records: 0,
    eventNotifications: 0,
    duplicateIds: 0,
    duplicateEventNumbers: 0,
    duplicateFocus: 0,
    missing: 0,
  };
  let lastRecord = Date.now();
  await consumer.connect();
  try {
    for (const topic of options.topics) await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        lastRecord = Date.now();
        audit.records++;
        if (message.value === null) return;
        const n = JSON.parse(message.value.toString('utf8')) as NotificationRecord;
        if (n.type !== 'event-notification' || n.subscriptionId === undefined) return;
        audit.eventNotifications++;
        if (n.notificationId !== undefined) {
          if (ids.has(n.notificationId)) audit.duplicateIds++;
          ids.add(n.notificationId);
        }
        const number = `${n.subscriptionId}#${n.eventNumber}`;
        if (numbers.has(number)) audit.duplicateEventNumbers++;
        numbers.add(number);
        const body = typeof n.body === 'string' ? n.body : JSON.stringify(n.body ?? '');
        // A classic body is the bare resource: the record, not the body, names the subscription.
        const fromRecord = (name: string): string | undefined =>
          name === 'x-substream-subscription-id'
            ? n.subscriptionId
            : name === 'x-substream-event-number' && n.eventNumber !== undefined
              ? String(n.eventNumber)
              : undefined;
        const found = identifyArrival(fromRecord, body, 0, 'rest-hook')?.focus;
        if (found !== undefined) {
          const key = `${n.subscriptionId} ${found}`;
          if (focus.has(key)) audit.duplicateFocus++;
          focus.add(key);
        }
      },
    });
    const quietMs = options.quietMs ?? 10_000;
    while (Date.now() - lastRecord < quietMs) await new Promise((resolve) => setTimeout(resolve, 500));
  } finally {
    await consumer.disconnect();
  }
  for (const [subscriptionId, versions] of options.expected.bySubscription()) {
    for (const v of versions) if (!focus.has(`${subscriptionId} ${v}`)) audit.missing++;
  }
  return audit;
}

export function formatAudit(a: OutputAudit): string {
  return (
    `output topics (read_committed): ${a.records} records, ${a.eventNotifications} event notifications, ` +
    `duplicate ids ${a.duplicateIds}, duplicate subscription+event number ${a.duplicateEventNumbers}, ` +
    `duplicate subscription+focus ${a.duplicateFocus}, missing ${a.missing}`
  );
}
