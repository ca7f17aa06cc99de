import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { runLoad } from '../../bench/load/run-load.js';
import { uniqueName } from '../support/infra.js';
import { badRecords } from './bad-records.js';
import { deleteRunTopics, loadOptions, report, SHARED_BROKERS, topicEnv } from './fault-run.js';
import { FAULTS_ENABLED, startService, type RunningService } from './service-under-test.js';

// 10,000 bad changelog records from a seed, produced during good traffic: every good change is
// delivered and every bad record lands in the dead-letter topic with its reason.
describe.skipIf(!FAULTS_ENABLED)('fuzzed bad records in good traffic', () => {
  const prefix = uniqueName('fault-fuzz');
  const services: RunningService[] = [];
  afterAll(async () => {
    for (const s of services) await s.stop();
    await deleteRunTopics(SHARED_BROKERS, prefix);
  });

  it('every bad one dead-lettered with a reason, every good one delivered', async () => {
    const env = { ...topicEnv(prefix), MAX_RECORD_BYTES: String(16 * 1024) };
    const service = await startService({ port: 28185, brokers: SHARED_BROKERS, env });
    services.push(service);
    const kafka = new Kafka({ clientId: prefix, brokers: SHARED_BROKERS, logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    const bad = [...badRecords({ seed: 42, count: 10_000, oversizeBytes: 20 * 1024 })];
    const { result } = await runLoad({
      ...loadOptions(service, SHARED_BROKERS, env.TOPIC_CHANGELOG, 'faults-fuzzed'),
      faults: [
        {
          name: 'fuzzed records',
          atSeconds: 5,
          run: async () => {
            // Oversize records go one per request: a batch of them would exceed the broker's
            // largest request, and the broker, not the service, would refuse them.
            const large = (r: (typeof bad)[number]): boolean => r.value.length > 8 * 1024;
            for (const r of bad.filter(large)) {
              await producer.send({ topic: env.TOPIC_CHANGELOG, messages: [{ key: r.key, value: r.value }] });
            }
            const small = bad.filter((r) => !large(r));
            for (let i = 0; i < small.length; i += 200) {
              await producer.send({
                topic: env.TOPIC_CHANGELOG,
                messages: small.slice(i, i + 200).map((r) => ({ key: r.key, value: r.value })),
              });
            }
          },
        },
      ],
    });
    await producer.disconnect();

    // Read the dead-letter topic back: count its records and the ones that say why.
    const consumer = kafka.consumer({ groupId: `${prefix}-dlq-reader` });
    await consumer.connect();
    await consumer.subscribe({ topic: env.TOPIC_CHANGELOG_DLQ, fromBeginning: true });
    let dead = 0;
    let withReason = 0;
    const reasons = new Map<string, number>();
    let lastSeen = Date.now();
    await consumer.run({
      eachMessage: async ({ message }) => {
        dead++;
        lastSeen = Date.now();
        const headers = Object.fromEntries(
          Object.entries(message.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v ?? '')]),
        );
        const reason = Object.entries(headers).find(([k]) => /reason|error|cause/.test(k))?.[1];
        if (reason !== undefined && reason.length > 0) {
          withReason++;
          const kind = reason.replace(/\d+/g, 'N').slice(0, 60);
          reasons.set(kind, (reasons.get(kind) ?? 0) + 1);
        }
      },
    });
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && (dead < bad.length || Date.now() - lastSeen < 2_000)) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      if (Date.now() - lastSeen > 10_000) break;
    }
    await consumer.disconnect();
    report(
      'fuzzed records',
      result.counts,
      `dead-lettered ${dead} of ${bad.length} bad records, ${withReason} with a reason header; ` +
        `reasons: ${[...reasons.entries()]
          .slice(0, 8)
          .map(([k, n]) => `${k} (${n})`)
          .join(', ')}`,
    );
    expect(result.counts.missing).toBe(0);
    expect(dead).toBe(bad.length);
    expect(withReason).toBe(bad.length);
  });
});
