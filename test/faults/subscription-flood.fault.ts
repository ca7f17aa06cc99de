import { afterAll, describe, expect, it } from 'vitest';
import { generateSubscriptions, startHttpReceiver, type HttpReceiver } from '../../bench/harness/index.js';
import { runLoad } from '../../bench/load/run-load.js';
import { serviceClient } from '../../bench/load/service-client.js';
import { createMatcher, type ChangeEvent, type FhirResource } from '../../processors/index.js';
import { uniqueName } from '../support/infra.js';
import { deleteRunTopics, loadOptions, report, SHARED_BROKERS, topicEnv } from './fault-run.js';
import { FAULTS_ENABLED, startService, type RunningService } from './service-under-test.js';

// During the load, FLOOD (1,000; FAULT_FLOOD) generated subscriptions (a receiver of their own) are created and then
// updated as fast as the admin API takes them. The stable subscriptions must keep every
// notification; the flood ones are checked against the matcher run offline over the same changes:
// nothing delivered that it does not match, and nothing it matches missing for the changes sent
// once the flood had settled.
const FLOOD = Number(process.env.FAULT_FLOOD ?? 1_000);
const SETTLE_MS = 3_000;

interface SentChange {
  change: ChangeEvent;
  previous?: FhirResource;
  sentAt: number;
}

const focusOf = (r: FhirResource): string => `${r.resourceType}/${r.id}/_history/${r.meta?.versionId}`;

describe.skipIf(!FAULTS_ENABLED)('a flood of subscription changes during load', () => {
  const prefix = uniqueName('fault-flood');
  const services: RunningService[] = [];
  let floodReceiver: HttpReceiver | undefined;
  afterAll(async () => {
    await floodReceiver?.close();
    for (const s of services) await s.stop();
    await deleteRunTopics(SHARED_BROKERS, prefix);
  });

  it('matching stays correct (checked against the matcher run offline)', async () => {
    const env = topicEnv(prefix);
    const service = await startService({ port: 28187, brokers: SHARED_BROKERS, env });
    services.push(service);
    floodReceiver = await startHttpReceiver({ port: 0 });
    const flood = generateSubscriptions({
      count: FLOOD,
      seed: 2,
      idPrefix: 'flood-sub',
      typeOnly: 0,
      channels: { restHookUrl: `http://127.0.0.1:${floodReceiver.port}/` },
    });
    const client = serviceClient({ baseUrl: service.url, concurrency: 32 });
    const sent: SentChange[] = [];
    const last = new Map<string, FhirResource>();
    let floodDoneAt = Number.POSITIVE_INFINITY;
    let floodRate = 0;

    const { result } = await runLoad({
      ...loadOptions(service, SHARED_BROKERS, env.TOPIC_CHANGELOG, 'faults-subscription-flood'),
      // Long enough for changes after the flood, at the admin API's pace (about 170 PUTs/s here).
      durationSeconds: 45,
      onChanges: (changes, sentAt) => {
        for (const change of changes) {
          const key = `${change.resourceType}/${change.id}`;
          sent.push({ change, ...(last.has(key) ? { previous: last.get(key) } : {}), sentAt });
          if (change.resource) last.set(key, structuredClone(change.resource));
        }
      },
      faults: [
        {
          name: `flood of ${FLOOD} subscriptions, created then updated`,
          atSeconds: 5,
          run: async () => {
            const started = Date.now();
            await client.putAll(flood.subscriptions.map((s) => s.resource));
            const updated = flood.subscriptions.map((s) => ({
              ...s.resource,
              meta: { ...(s.resource.meta ?? {}), tag: [{ code: 'flooded' }] },
            }));
            await client.putAll(updated);
            floodDoneAt = Date.now();
            floodRate = (2 * FLOOD * 1000) / (floodDoneAt - started);
          },
        },
      ],
    });
    await client.close();
    // Let the flood receiver settle too.
    let count = -1;
    while (count !== floodReceiver.arrivals().length) {
      count = floodReceiver.arrivals().length;
      await new Promise((resolve) => setTimeout(resolve, 5_000));
    }

    // The matcher, offline, over the same changes and the flood subscriptions.
    const matcher = createMatcher();
    for (const topic of flood.topics) matcher.putTopic(String(topic.url), topic);
    for (const s of flood.subscriptions) matcher.putSubscription(s.id, s.resource);
    const matchedAll = new Set<string>();
    const matchedAfter = new Set<string>();
    for (const { change, previous, sentAt } of sent) {
      const current = change.resource;
      if (!current) continue;
      for (const m of matcher.match({ change, current, ...(previous ? { previous } : {}) })) {
        const key = `${m.subscriptionId}|${focusOf(current)}`;
        matchedAll.add(key);
        if (sentAt >= floodDoneAt + SETTLE_MS) matchedAfter.add(key);
      }
    }
    const delivered = new Set(
      floodReceiver
        .arrivals()
        .filter((a) => a.type === 'event-notification')
        .map((a) => `${a.subscriptionId}|${a.focus ?? ''}`),
    );
    const wrong = [...delivered].filter((k) => !matchedAll.has(k));
    const missingAfter = [...matchedAfter].filter((k) => !delivered.has(k));
    report(
      'subscription flood',
      result.counts,
      `flood ${2 * FLOOD} subscription PUTs at ${floodRate.toFixed(0)}/s; flood subscriptions: ` +
        `offline matcher expects ${matchedAfter.size} after the flood settled, delivered ${delivered.size} ` +
        `in all, missing ${missingAfter.length}, not matched offline ${wrong.length}` +
        (wrong.length > 0 ? ` (e.g. ${wrong.slice(0, 3).join(', ')})` : ''),
    );
    expect(result.counts.missing).toBe(0);
    expect(matchedAfter.size).toBeGreaterThan(0);
    expect(missingAfter).toEqual([]);
    expect(wrong).toEqual([]);
  });
});
