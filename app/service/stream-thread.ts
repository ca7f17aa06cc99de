/**
 * A stream thread of a processor instance (worker entry, PROCESSOR_THREADS > 1): the processor's
 * topology with its own Kafka clients, consumer group membership, tasks, global tables and
 * metrics registry. The process's own thread serves the HTTP API and asks this one, over its
 * message port, for its state, its metrics and the `$events` of the partitions it runs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Registry } from 'prom-client';
import { prometheusMetrics } from '../../topology/index.js';
import { createLogger, createMetrics } from '../observability/index.js';
import { createProcessorCore } from './processor-core.js';
import type { StreamThreadData, ThreadMessage, ThreadRequest } from './stream-thread-protocol.js';
import { openTransport } from './transport.js';

const port = parentPort;
if (port === null) throw new Error('stream-thread runs as a worker thread of a processor instance');
const data = workerData as StreamThreadData;
const post = (message: ThreadMessage): void => port.postMessage(message);

const logger = createLogger(data.logLevel).child({ thread: data.thread });
const metrics = createMetrics(new Registry(), { processMetrics: false });
// The thread's own client id: its place in the group's assignment stays the same across restarts.
const clientConfig = {
  ...data.config,
  KAFKA_CLIENT_ID: `${data.config.KAFKA_CLIENT_ID}-thread-${data.thread}`,
};
const transport = await openTransport(clientConfig, logger).catch((error: unknown) => {
  post({ kind: 'boot-failed', error: error instanceof Error ? error.message : String(error) });
  throw error;
});
const core = createProcessorCore({
  config: data.config,
  transport,
  partitions: data.partitions,
  metrics,
  metricsPort: prometheusMetrics(metrics.registry),
  logger,
  thread: data.thread,
});
core.streams.onStateChange((state) =>
  post({ kind: 'state', state, ...(core.streams.error ? { error: core.streams.error.message } : {}) }),
);

let stopping: Promise<void> | undefined;
const stop = (): Promise<void> =>
  (stopping ??= (async () => {
    await core.streams.stop();
    await transport.close();
  })());

async function answer(request: ThreadRequest): Promise<unknown> {
  switch (request.kind) {
    case 'metrics':
      return metrics.registry.getMetricsAsJSON();
    case 'owns':
      return core.notifyByPartition.has(request.partition);
    case 'events': {
      const notify = core.notifyByPartition.get(request.partition);
      if (!notify) return { owned: false };
      const found = await notify.eventsOf(request.subscriptionId, request.tenant, request.query);
      // As JSON text: retained resources may carry remembered text of their own (known-json.ts).
      return { owned: true, found: found === undefined ? undefined : JSON.stringify(found) };
    }
    case 'start':
      try {
        await core.streams.start();
        core.catalog();
      } catch (error) {
        logger.error({ err: error }, 'stream thread could not start');
        await stop().catch((cause: unknown) =>
          logger.warn({ err: cause }, 'stream thread stop after a failed start'),
        );
        throw error;
      }
      return undefined;
    case 'stop':
      await stop();
      return undefined;
  }
}

port.on('message', (request: ThreadRequest) => {
  answer(request).then(
    (value) => post({ kind: 'reply', id: request.id, value }),
    (error: unknown) =>
      post({ kind: 'reply', id: request.id, error: error instanceof Error ? error.message : String(error) }),
  );
});

// Booted: the process starts every thread at once, so that they join the group together.
post({ kind: 'booted' });
