/**
 * The HTTP receiver on a thread of its own. The harness's main thread holds every change's
 * expected notifications and every arrival, so over a run of many minutes its heap grows to
 * hundreds of MB, and V8 collects it in full every minute or two with pauses of 20–150 ms (600 ms
 * once). A receiver on that thread stamps the notifications that arrive during a pause late, and
 * the pause shows up as latency of the service. Here the thread that stamps them keeps nothing but
 * the last few milliseconds of arrivals, and hands them over in batches; the interface is the
 * in-thread receiver's.
 */
import { startHarnessWorker } from '../worker-entry.js';
import type { Arrival } from './arrival.js';
import type { HttpReceiver, HttpReceiverOptions } from './http-receiver.js';
import type {
  ReceiverThreadMessage,
  ReceiverThreadOrder,
  ReceiverThreadSettings,
} from './receiver-thread.js';

export async function startThreadedHttpReceiver(
  options: Omit<HttpReceiverOptions, 'keepArrivals'> & { flushMs?: number } = {},
): Promise<HttpReceiver> {
  const settings: ReceiverThreadSettings = {
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    flushMs: options.flushMs ?? 20,
  };
  const worker = startHarnessWorker(import.meta.url, './receiver-thread', { workerData: settings });
  const order = (o: ReceiverThreadOrder): void => worker.postMessage(o);

  const arrivals: Arrival[] = [];
  let rejected = 0;
  let unidentified = 0;
  let up: Promise<void> = Promise.resolve();
  let down: (() => void) | undefined;
  let wentUp: { resolve: () => void; reject: (e: Error) => void } | undefined;
  let closed: (() => void) | undefined;
  let failure: Error | undefined;
  let exited = false;
  /** Waiting for the thread's hand-overs, in the order asked (messages keep their order). */
  const flushed: (() => void)[] = [];

  const listening = new Promise<{ port: number; url: string }>((resolve, reject) => {
    worker.on('message', (m: ReceiverThreadMessage) => {
      switch (m.type) {
        case 'listening':
          resolve({ port: m.port, url: m.url });
          break;
        case 'arrivals':
          rejected = m.rejected;
          unidentified = m.unidentified;
          for (const a of m.arrivals) {
            arrivals.push(a);
            options.onArrival?.(a);
          }
          break;
        case 'down':
          down?.();
          break;
        case 'up':
          wentUp?.resolve();
          break;
        case 'up-failed':
          wentUp?.reject(new Error(`the receiver could not listen again: ${m.error}`));
          break;
        case 'flushed':
          flushed.shift()?.();
          break;
        case 'closed':
          closed?.();
          break;
      }
    });
    worker.once('error', (error) => {
      failure = error;
      reject(error);
      wentUp?.reject(error);
      closed?.();
    });
    worker.once('exit', (code) => {
      exited = true;
      if (code !== 0 && failure === undefined) reject(new Error(`the receiver thread exited with ${code}`));
      closed?.();
    });
  });
  const { port, url } = await listening;

  return {
    url,
    port,
    arrivals: () => arrivals,
    rejected: () => rejected,
    unidentified: () => unidentified,
    settled() {
      if (exited) return Promise.resolve();
      return new Promise<void>((resolve) => {
        flushed.push(resolve);
        order({ type: 'flush' });
      });
    },
    failFor({ durationMs, status = 503, subscriptionIds, until = Date.now() + durationMs }) {
      order({
        type: 'fail',
        until,
        status,
        ...(subscriptionIds !== undefined ? { subscriptionIds: [...subscriptionIds] } : {}),
      });
    },
    async goDown(durationMs) {
      const wentDown = new Promise<void>((resolve) => (down = resolve));
      up = new Promise<void>((resolve, reject) => (wentUp = { resolve, reject }));
      // Nobody may be waiting for it yet: a failure to come back is reported by whenUp.
      up.catch(() => undefined);
      order({ type: 'go-down', durationMs });
      await wentDown;
    },
    whenUp: () => up,
    async close() {
      await up.catch(() => undefined);
      if (failure !== undefined) throw failure;
      if (exited) return;
      const done = new Promise<void>((resolve) => (closed = resolve));
      order({ type: 'close' });
      await done;
      await worker.terminate();
    },
  };
}
