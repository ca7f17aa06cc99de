/** What a receiver records of each notification that arrives. */
export interface Arrival {
  subscriptionId: string;
  /** Absent when neither the headers nor the body carry it (classic R4 without substream headers). */
  eventNumber?: number;
  /** The de-duplication identity; falls back to `subscriptionId#eventNumber` when no id is sent. */
  notificationId?: string;
  type: 'handshake' | 'heartbeat' | 'event-notification' | 'query-status';
  /** `ResourceType/id/_history/versionId` of the focus resource, when the payload carries it. */
  focus?: string;
  /** Milliseconds since the epoch. */
  arrivedAt: number;
  /** Arrival minus the change's occurredAt, in milliseconds. */
  latencyMs?: number;
  channel: 'rest-hook' | 'message';
}

/** Anything that records arrivals: the HTTP receiver and the AMQP recorder. */
export interface ArrivalLog {
  arrivals(): readonly Arrival[];
}
