import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sax from 'sax';
import { afterAll, describe, expect, it } from 'vitest';
import { runLoad, type LoadRunOptions } from '../../bench/load/run-load.js';
import {
  generateSubscriptions,
  subscriptionMatches,
  type GeneratedSubscription,
} from '../../bench/harness/index.js';
import { startStandInService } from './stand-in-service.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const SEED = 5;
const COUNT = 40;

/** The stand-in matches with the oracle of the same generated set the runner registers. */
function oracleMatcher(): (
  subscription: { id?: string },
  change: Parameters<typeof subscriptionMatches>[1],
) => boolean {
  const { subscriptions } = generateSubscriptions({
    count: COUNT,
    seed: SEED,
    channels: { restHookUrl: 'http://x/' },
  });
  const byId = new Map<string, GeneratedSubscription>(subscriptions.map((s) => [s.id, s]));
  return (subscription, change) => {
    const generated = byId.get(String(subscription.id));
    return generated !== undefined && subscriptionMatches(generated, change);
  };
}

async function options(serviceUrl: string, name: string): Promise<LoadRunOptions> {
  const resultsDir = await mkdtemp(join(tmpdir(), 'substream-bench-'));
  dirs.push(resultsDir);
  return {
    name,
    rate: 200,
    durationSeconds: 2,
    subscriptions: COUNT,
    transport: 'http',
    brokers: ['127.0.0.1:9092'],
    changelogTopic: 'unused',
    serviceUrl,
    receiverPort: 0,
    receiverHost: '127.0.0.1',
    pids: [process.pid],
    seed: SEED,
    batchSize: 50,
    drainSeconds: 10,
    waitReadySeconds: 5,
    cleanup: true,
    resultsDir,
    notes: ['dry run against the stand-in service'],
    log: () => undefined,
  };
}

describe('the load pipeline against a stand-in service', () => {
  it('registers subscriptions, drives changes, receives, accounts and writes results', async () => {
    const service = await startStandInService({ matches: oracleMatcher() });
    try {
      const { result, written } = await runLoad(await options(service.url, 'dry'));
      expect(service.topics.size).toBeGreaterThan(0);
      expect(service.subscriptions.size).toBe(0); // removed by cleanup
      // Loosely: the stand-in, receiver and generator share one process on a shared machine.
      expect(result.sent).toBeGreaterThan(200);
      expect(result.counts.expected).toBeGreaterThan(0);
      expect(result.counts).toMatchObject({ missing: 0, duplicate: 0, outOfOrder: 0, unexpected: 0 });
      expect(result.counts.delivered).toBe(result.counts.expected);
      expect(result.latencyMs.count).toBe(result.counts.delivered);
      expect(result.latencyMs.p50).toBeGreaterThanOrEqual(0);
      expect(result.latencyMs.p99).toBeLessThan(5_000);
      expect(result.timeline.some((p) => p.sent > 0 && p.delivered > 0)).toBe(true);
      expect(result.processes.length).toBeGreaterThan(0);

      const json = JSON.parse(await readFile(written.json, 'utf8')) as { counts: unknown };
      expect(json.counts).toEqual(result.counts);
      expect(await readFile(written.markdown, 'utf8')).toContain('| changes sent |');
      const parser = sax.parser(true);
      parser.onerror = (error) => {
        throw error;
      };
      parser.write(await readFile(written.svg, 'utf8')).close();
    } finally {
      await service.close();
    }
  });

  it('counts duplicates the service sends, and nothing missing', async () => {
    const service = await startStandInService({ matches: oracleMatcher(), duplicateEvery: 4 });
    try {
      const { result } = await runLoad(await options(service.url, 'dry-duplicates'));
      expect(result.counts.duplicate).toBeGreaterThan(0);
      expect(result.counts.missing).toBe(0);
      expect(result.counts.delivered).toBe(result.counts.expected);
    } finally {
      await service.close();
    }
  });

  it('runs a scheduled fault: an endpoint answering 503 shows up as missing notifications', async () => {
    const service = await startStandInService({ matches: oracleMatcher() });
    let rejectedBefore = 0;
    let rejected = 0;
    try {
      const { result } = await runLoad({
        ...(await options(service.url, 'dry-outage')),
        faults: [
          {
            name: 'every endpoint down 1 s',
            atSeconds: 0.5,
            run: async ({ receiver }) => {
              await receiver.settled();
              rejectedBefore = receiver.rejected();
              receiver.failFor({ durationMs: 1_000, status: 503 });
              await new Promise((resolve) => setTimeout(resolve, 1_000));
              await receiver.settled();
              rejected = receiver.rejected() - rejectedBefore;
            },
          },
        ],
      });
      // The stand-in does not retry, so each rejected notification is missing.
      expect(rejected).toBeGreaterThan(0);
      expect(result.counts.missing).toBe(rejected);
      expect(result.counts.delivered).toBe(result.counts.expected - rejected);
    } finally {
      await service.close();
    }
  });
});
