/**
 * A processor with two stream threads (PROCESSOR_THREADS=2, STREAM_FAILURE_POLICY=replace-thread)
 * on the real broker, whose worker thread is terminated mid-run: the thread reads `replacing`, a
 * new worker takes its place (same thread number, client id and state directory), `/readyz` is
 * ready again, the replacement is counted, and every subscription is notified of every change
 * sent after the termination (at least once).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { HttpReceiver } from '../fakes/http-receiver.js';
import { waitFor } from '../support/infra.js';
import { call, keptWorkers, ServiceFixture } from '../support/service.js';
import { encounter, notifiedEncounters, putEncounterSubscriptions } from './scenario.js';

const fixture = new ServiceFixture({ kafka: true, settings: { PARTITIONS: 4 } });
const receiver = new HttpReceiver();

afterAll(async () => {
  await fixture.cleanup();
  await receiver.stop();
});

const SUBSCRIPTIONS = ['s1', 's2', 's3', 's4', 's5', 's6'];

/** The encounters a subscription was notified of. */
const notified = (id: string): Set<string> => new Set(notifiedEncounters(receiver.accepted, id));

async function postEncounters(url: string, ids: string[]): Promise<void> {
  expect(
    (
      await call(
        url,
        'POST',
        '/changes',
        ids.map((id) => encounter(id)),
      )
    ).status,
  ).toBe(202);
}

/** Waits until every subscription was notified of every one of `ids`. */
async function notifiedOfAll(ids: string[], timeoutMs: number): Promise<void> {
  await waitFor(() => (SUBSCRIPTIONS.every((s) => ids.every((e) => notified(s).has(e))) ? true : undefined), {
    timeoutMs,
    what: () =>
      `${ids.join(',')} notified: ${SUBSCRIPTIONS.map((s) => `${s} ${notified(s).size}`).join(', ')}`,
  });
}

const encounters = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

/**
 * Each stream thread replicates the subscriptions table itself, so a change matched on the worker
 * just after the PUTs may not see them all yet: rounds of changes on every partition until one
 * round reaches every subscription.
 */
async function untilEveryThreadMatchesAll(url: string): Promise<void> {
  let round = 0;
  await waitFor(
    async () => {
      const ids = encounters(`warm${round++}-`, 8);
      await postEncounters(url, ids);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      return SUBSCRIPTIONS.every((s) => ids.every((e) => notified(s).has(e))) ? true : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 0, what: 'every thread matching every subscription' },
  );
}

describe('a processor whose worker stream thread is terminated', () => {
  it(
    'replaces the thread and notifies every subscription of later changes',
    { timeout: 180_000 },
    async () => {
      const hook = await receiver.start();
      const { workers, spawnStreamThread } = keptWorkers();
      const config = await fixture.config({ PROCESSOR_THREADS: 2 });
      const processor = await fixture.start('processor', config, { spawnStreamThread });
      await fixture.start('http-sink', await fixture.config());
      expect((await call(processor.url, 'GET', '/readyz')).status).toBe(200);
      await putEncounterSubscriptions(processor.url, hook, SUBSCRIPTIONS);
      await untilEveryThreadMatchesAll(processor.url);
      await postEncounters(processor.url, encounters('before', 4));
      await notifiedOfAll(encounters('before', 4), 30_000);

      expect(workers).toHaveLength(1);
      await workers[0]!.terminate();
      const replacing = await call(processor.url, 'GET', '/readyz');
      expect(replacing.status).toBe(503);
      expect(JSON.stringify(replacing.body)).toContain('stream thread 1 is replacing');
      await postEncounters(processor.url, encounters('after', 8));
      // The metrics of a thread being replaced are left out; the scrape still answers.
      expect((await call(processor.url, 'GET', '/metrics')).status).toBe(200);

      await waitFor(
        async () => ((await call(processor.url, 'GET', '/readyz')).status === 200 ? true : undefined),
        {
          timeoutMs: 120_000,
          what: 'ready again with the replacement',
        },
      );
      expect(workers).toHaveLength(2);
      await notifiedOfAll(encounters('after', 8), 60_000);
      const metrics = (await call(processor.url, 'GET', '/metrics')).body as string;
      expect(metrics).toContain('substream_stream_thread_replacements_total{thread="1"} 1');
      expect(metrics).toContain('substream_stream_thread_replacements_total{thread="0"} 0');
    },
  );
});
