/**
 * Key layout of the delivery store (`sub`: the lane id below). FHIR ids never contain `|`, so a
 * subscription's keys share a prefix and sort in order: `q|sub` its queue state, `e|sub|seq` its
 * parked entries in arrival order, `d|sub|eventNumber|notificationId` its dead letters in event
 * order.
 */
const SEQ_WIDTH = 16;

/**
 * A subscription's lane, and the part of its keys that names it: its id, after its tenant when it
 * has one (percent-encoded, so never holding `|` or `/`). Two tenants may each have a
 * subscription of the same id; they must not share a queue.
 */
export const laneId = (subscriptionId: string, tenant?: string): string =>
  tenant === undefined || tenant === '' ? subscriptionId : `${encodeURIComponent(tenant)}/${subscriptionId}`;

export const queueKey = (subscriptionId: string): string => `q|${subscriptionId}`;
export const entryPrefix = (subscriptionId: string): string => `e|${subscriptionId}|`;
export const entryKey = (subscriptionId: string, seq: number): string =>
  `${entryPrefix(subscriptionId)}${String(seq).padStart(SEQ_WIDTH, '0')}`;
export const deadLetterPrefix = (subscriptionId: string): string => `d|${subscriptionId}|`;
export const deadLetterKey = (subscriptionId: string, eventNumber: number, notificationId: string): string =>
  `${deadLetterPrefix(subscriptionId)}${String(eventNumber).padStart(SEQ_WIDTH, '0')}|${notificationId}`;

export const QUEUE_PREFIX = 'q|';
export const ENTRY_PREFIX = 'e|';

/** The sequence number at the end of an entry key. */
export function seqOf(key: string): number {
  return Number(key.slice(key.lastIndexOf('|') + 1));
}

export function subscriptionOfQueueKey(key: string): string {
  return key.slice(QUEUE_PREFIX.length);
}

export function subscriptionOfEntryKey(key: string): string {
  return key.slice(ENTRY_PREFIX.length, key.lastIndexOf('|'));
}
