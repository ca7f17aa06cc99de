import { afterAll, describe, expect, it } from 'vitest';
import { runLoad } from '../../bench/load/run-load.js';
import { uniqueName } from '../support/infra.js';
import { deleteRunTopics, loadOptions, report, SHARED_BROKERS, topicEnv, topicSize } from './fault-run.js';
import { privateRabbit } from './rabbitmq-control.js';
import { exitOf, FAULTS_ENABLED, startService, type RunningService } from './service-under-test.js';

// A RabbitMQ node of the run's own (never the shared one on 5672) carries the message-channel
// subscriptions (half of them); it is shut down 10 s into the load and started again on its data
// after FAULT_RABBIT_DOWN_SECONDS (10): nothing may be missing, on either channel.
const DOWN_SECONDS = Number(process.env.FAULT_RABBIT_DOWN_SECONDS ?? 10);

describe.skipIf(!FAULTS_ENABLED)('RabbitMQ stopped and restarted under load', () => {
  const rabbit = privateRabbit();
  const prefix = uniqueName('fault-rabbit');
  const services: RunningService[] = [];
  afterAll(async () => {
    for (const s of services) await s.stop();
    await deleteRunTopics(SHARED_BROKERS, prefix);
    await rabbit.remove();
  });

  it('nothing missing on the message channel or the others', async () => {
    await rabbit.start();
    const env = topicEnv(prefix);
    const service = await startService({
      port: 28187,
      brokers: SHARED_BROKERS,
      env: { ...env, RABBITMQ_URL: rabbit.url },
    });
    services.push(service);
    const queue = `${prefix}-queue`;
    const {
      result,
      report: accounting,
      subscriptions,
    } = await runLoad({
      ...loadOptions(service, SHARED_BROKERS, env.TOPIC_CHANGELOG, 'faults-rabbitmq-restart'),
      amqp: { url: rabbit.url, queue, endpoint: `channel:${queue}`, share: 0.5 },
      consumerGroup: prefix,
      // The sink reconnects with backoff: give it a minute and a half of quiet.
      quietSeconds: 90,
      faults: [
        {
          name: `RabbitMQ ${rabbit.node} stopped for ${DOWN_SECONDS} s`,
          atSeconds: 10,
          run: () => rabbit.restart({ downMs: DOWN_SECONDS * 1000 }),
        },
      ],
    });
    const message = subscriptions.filter((s) => s.channel === 'message').map((s) => s.id);
    const onMessage = message.reduce(
      (c, id) => {
        const s = accounting.bySubscription.get(id);
        return {
          expected: c.expected + (s?.expected ?? 0),
          delivered: c.delivered + (s?.delivered ?? 0),
          missing: c.missing + (s?.missing ?? 0),
          duplicate: c.duplicate + (s?.duplicate ?? 0),
        };
      },
      { expected: 0, delivered: 0, missing: 0, duplicate: 0 },
    );
    const deadLetters = await topicSize(SHARED_BROKERS, env.TOPIC_DELIVERY_DLQ).catch(() => -1);
    report(
      `RabbitMQ restart (down ${DOWN_SECONDS} s)`,
      result.counts,
      `message channel (${message.length} subscriptions): expected ${onMessage.expected}, delivered ${onMessage.delivered}, ` +
        `missing ${onMessage.missing}, duplicate ${onMessage.duplicate}; delivery dead letters ${deadLetters}; ${result.notes.slice(1).join('; ')}`,
    );
    const exit = await exitOf(service);
    if (exit !== undefined) console.log(`the service ${exit}`);
    expect(exit).toBeUndefined();
    expect(onMessage.expected).toBeGreaterThan(0);
    expect(result.counts.missing).toBe(0);
  });
});
