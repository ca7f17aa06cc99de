/**
 * Key layout of the delivery store. FHIR ids never contain `|`, so a subscription's keys share a
 * prefix and sort in order: `q|sub` its queue state, `e|sub|seq` its parked entries in arrival
 * order, `d|sub|eventNumber|notificationId` its dead letters in event order.
 */
const SEQ_WIDTH = 16;

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
