import { afterAll, describe, expect, it } from 'vitest';
import { runLoad } from '../../bench/load/run-load.js';
import { uniqueName } from '../support/infra.js';
import { deleteRunTopics, loadOptions, report, topicEnv } from './fault-run.js';
import { privateKafka } from './private-kafka.js';
import { exitOf, FAULTS_ENABLED, startService, type RunningService } from './service-under-test.js';

// A broker of the run's own (never the shared one) restarted 10 s into the load, down for
// DOWN_SECONDS: processing resumes by itself and nothing is missing.
const PORT = Number(process.env.FAULT_KAFKA_PORT ?? 39092);
const CONTROLLER_PORT = Number(process.env.FAULT_KAFKA_CONTROLLER_PORT ?? 39093);
const DOWN_SECONDS = 10;

describe.skipIf(!FAULTS_ENABLED)('Kafka broker restarted under load', () => {
  const broker = privateKafka({ port: PORT, controllerPort: CONTROLLER_PORT });
  const prefix = uniqueName('fault-broker');
  const services: RunningService[] = [];
  afterAll(async () => {
    for (const s of services) await s.stop();
    await deleteRunTopics(broker.brokers, prefix).catch(() => undefined);
    await broker.stop();
  });

  it('processing resumes by itself, nothing missing', async () => {
    await broker.start();
    const env = topicEnv(prefix);
    const service = await startService({ port: 28186, brokers: broker.brokers, env });
    services.push(service);
    const { result } = await runLoad({
      ...loadOptions(service, broker.brokers, env.TOPIC_CHANGELOG, 'faults-broker-restart'),
      consumerGroup: prefix,
      // Reconnection backs off: give the service a minute and a half of quiet to resume.
      quietSeconds: 90,
      faults: [
        {
          name: `broker restart, down ${DOWN_SECONDS} s`,
          atSeconds: 10,
          run: () => broker.restart({ downMs: DOWN_SECONDS * 1000 }),
        },
      ],
    });
    const readiness = await fetch(`${service.url}/readyz`).then(
      async (r) => `${r.status} ${await r.text()}`,
      (error: unknown) => String(error),
    );
    // How often each streams instance restarted itself (substream_streams_restarts_total).
    const restarts = await fetch(`${service.url}/metrics`).then(
      async (r) =>
        (await r.text())
          .split('\n')
          .filter((line) => line.startsWith('substream_streams_restarts_total{'))
          .map((line) => line.replace(/^substream_streams_restarts_total\{application="([^"]*)"\} /, '$1: '))
          .join(', ') || 'none',
      (error: unknown) => String(error),
    );
    // The service's own account of its restarts (the lines of its last output that tell them).
    const lifecycle = service
      .output()
      .split('\n')
      .filter((line) => /streams instance|running again/.test(line));
    for (const line of lifecycle.slice(-20)) console.log(line.slice(0, 400));
    report(
      `broker restart (down ${DOWN_SECONDS} s)`,
      result.counts,
      `readyz after the run: ${readiness}; restarts: ${restarts}; ${result.notes.slice(1).join('; ')}`,
    );
    const exit = await exitOf(service);
    if (exit !== undefined) console.log(`the service ${exit}`);
    expect(exit).toBeUndefined();
    expect(result.counts.missing).toBe(0);
  });
});
