import { afterAll, describe, expect, it } from 'vitest';
import { latencySummary } from '../../bench/harness/index.js';
import { runLoad } from '../../bench/load/run-load.js';
import { uniqueName } from '../support/infra.js';
import { endpointOutage } from './endpoint-outage.js';
import { deleteRunTopics, loadOptions, report, SHARED_BROKERS, topicEnv, topicSize } from './fault-run.js';
import { FAULTS_ENABLED, startService, type RunningService } from './service-under-test.js';

// One subscriber endpoint answers 503 for OUTAGE_SECONDS (120 by the issue; FAULT_OUTAGE_SECONDS
// shortens it), then comes back: all its notifications must arrive, in order. The others' p99 is
// compared with the same load (same seed) without the fault, run first on a fresh service.
const OUTAGE_SECONDS = Number(process.env.FAULT_OUTAGE_SECONDS ?? 120);

describe.skipIf(!FAULTS_ENABLED)('one endpoint down, then back', () => {
  const prefixes: string[] = [];
  const services: RunningService[] = [];
  afterAll(async () => {
    for (const s of services) await s.stop();
    for (const p of prefixes) await deleteRunTopics(SHARED_BROKERS, p);
  });

  async function run(withFault: boolean) {
    const prefix = uniqueName(withFault ? 'fault-endpoint' : 'fault-endpoint-base');
    prefixes.push(prefix);
    const env = topicEnv(prefix);
    const service = await startService({ port: withFault ? 28184 : 28183, brokers: SHARED_BROKERS, env });
    services.push(service);
    let downId = '';
    const outcome = await runLoad({
      ...loadOptions(
        service,
        SHARED_BROKERS,
        env.TOPIC_CHANGELOG,
        withFault ? 'faults-endpoint-down' : 'faults-endpoint-baseline',
      ),
      durationSeconds: OUTAGE_SECONDS + 15,
      // After the outage the subscription's retries back off: wait for them, not ten quiet seconds.
      quietSeconds: 90,
      faults: withFault
        ? [
            {
              name: `endpoint down ${OUTAGE_SECONDS} s`,
              atSeconds: 5,
              run: async ({ receiver, subscriptions }) => {
                downId =
                  subscriptions.find((s) => s.filters.length === 0)?.id ?? (subscriptions[0]?.id as string);
                await endpointOutage(
                  receiver,
                  { kind: 'status', status: 503, subscriptionIds: [downId] },
                  OUTAGE_SECONDS * 1000,
                );
              },
            },
          ]
        : [],
    });
    const deadLetters = await topicSize(SHARED_BROKERS, env.TOPIC_DELIVERY_DLQ).catch(() => -1);
    await service.stop();
    return { ...outcome, downId, deadLetters };
  }

  it('all its notifications arrive in order; the others keep their latency', async () => {
    const baseline = await run(false);
    const faulty = await run(true);
    const down = faulty.report.bySubscription.get(faulty.downId);
    const exclude = new Set([faulty.downId]);
    const before = latencySummary(baseline.arrivals, { exclude });
    const during = latencySummary(faulty.arrivals, { exclude });
    report(
      `endpoint down ${OUTAGE_SECONDS} s`,
      faulty.result.counts,
      `down subscription ${faulty.downId}: expected ${down?.expected}, delivered ${down?.delivered}, missing ${down?.missing}, out-of-order ${down?.outOfOrder}; ` +
        `delivery dead letters ${faulty.deadLetters}; others p99 ${during.p99} ms vs ${before.p99} ms without the fault (baseline run: ` +
        `expected ${baseline.result.counts.expected}, delivered ${baseline.result.counts.delivered}, missing ${baseline.result.counts.missing})`,
    );
    expect(down).toMatchObject({ missing: 0, outOfOrder: 0 });
    expect(faulty.result.counts.missing).toBe(0);
    expect(during.p99).toBeLessThanOrEqual(before.p99 * 1.2);
    // Two runs of the outage plus 15 s of load each, their drains and two starts: past the default.
  }, 1_200_000);
});
