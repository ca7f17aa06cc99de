/**
 * The body of the receiver thread (threaded-receiver.ts): the HTTP receiver of http-receiver.ts on
 * a thread of its own, sending what it recorded to the thread that started it every few
 * milliseconds and taking its orders (fail, go down, close) from it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Arrival } from './arrival.js';
import { startHttpReceiver, type FailureRule } from './http-receiver.js';

export interface ReceiverThreadSettings {
  port: number;
  host: string;
  /** How often recorded arrivals are sent over, in milliseconds. */
  flushMs: number;
}

/** From the receiver thread. */
export type ReceiverThreadMessage =
  | { type: 'listening'; port: number; url: string }
  | { type: 'arrivals'; arrivals: Arrival[]; rejected: number; unidentified: number }
  | { type: 'down' }
  | { type: 'up' }
  | { type: 'up-failed'; error: string }
  | { type: 'flushed' }
  | { type: 'closed' };

/** To the receiver thread. */
export type ReceiverThreadOrder =
  | { type: 'fail'; until: number; status: FailureRule['status']; subscriptionIds?: string[] }
  | { type: 'flush' }
  | { type: 'go-down'; durationMs: number }
  | { type: 'close' };

const port = parentPort;
if (port === null) throw new Error('receiver-thread.ts runs as a worker thread');
const settings = workerData as ReceiverThreadSettings;
const send = (message: ReceiverThreadMessage): void => port.postMessage(message);

let pending: Arrival[] = [];
const receiver = await startHttpReceiver({
  port: settings.port,
  host: settings.host,
  onArrival: (arrival) => void pending.push(arrival),
  keepArrivals: false,
});
let sentCounts = '0/0';
const flush = (): void => {
  // Rejected and unidentified requests count too: while an endpoint fails, nothing else arrives.
  const counts = `${receiver.rejected()}/${receiver.unidentified()}`;
  if (pending.length === 0 && counts === sentCounts) return;
  sentCounts = counts;
  send({
    type: 'arrivals',
    arrivals: pending,
    rejected: receiver.rejected(),
    unidentified: receiver.unidentified(),
  });
  pending = [];
};
const timer = setInterval(flush, settings.flushMs);

port.on('message', (order: ReceiverThreadOrder) => {
  if (order.type === 'fail') {
    receiver.failFor({
      durationMs: order.until - Date.now(),
      until: order.until,
      status: order.status,
      ...(order.subscriptionIds !== undefined ? { subscriptionIds: order.subscriptionIds } : {}),
    });
  } else if (order.type === 'flush') {
    flush();
    send({ type: 'flushed' });
  } else if (order.type === 'go-down') {
    void receiver.goDown(order.durationMs).then(() => {
      send({ type: 'down' });
      receiver.whenUp().then(
        () => send({ type: 'up' }),
        (error: unknown) =>
          send({ type: 'up-failed', error: error instanceof Error ? error.message : String(error) }),
      );
    });
  } else {
    clearInterval(timer);
    void receiver.close().then(() => {
      flush();
      send({ type: 'closed' });
      port.close();
    });
  }
});
send({ type: 'listening', port: receiver.port, url: receiver.url });
