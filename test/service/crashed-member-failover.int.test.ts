/**
 * Kafka mode, a processor instance killed with SIGKILL (no leave-group, nothing committed on the
 * way out): the group notices it is gone after KAFKA_SESSION_TIMEOUT_MS and the other instance
 * takes its partitions over, so with a 6 s timeout the notifications it held up arrive well before
 * the 30 s default would even have noticed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Config } from '../../app/config/index.js';
import { queryEndpoint } from '../../app/service/event-routing.js';
import { HttpReceiver, type Received } from '../fakes/http-receiver.js';
import { startProcess, type ManagedProcess } from '../faults/child-process.js';
import { waitFor } from '../support/infra.js';
import { call, ServiceFixture } from '../support/service.js';
import { classicR4, expectEvents, postGlucose } from './scenario.js';

const SESSION_TIMEOUT_MS = 6_000;
const fixture = new ServiceFixture({
  kafka: true,
  settings: { KAFKA_SESSION_TIMEOUT_MS: SESSION_TIMEOUT_MS, KAFKA_HEARTBEAT_INTERVAL_MS: 1_000 },
});
const receiver = new HttpReceiver();
let child: ManagedProcess | undefined;

afterAll(async () => {
  await child?.kill9();
  await fixture.cleanup();
  await receiver.stop();
});

/** A configuration as the environment of a `substream run` process. */
function environmentOf(config: Config): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    if (value !== undefined) env[key] = Array.isArray(value) ? value.join(',') : String(value);
  }
  return env;
}

describe('a processor instance killed with SIGKILL', () => {
  it('has its partitions taken over after the group session timeout', async () => {
    const hook = await receiver.start();
    const [c1, c2, cs] = await Promise.all([fixture.config(), fixture.config(), fixture.config()]);
    const p1 = await fixture.start('processor', c1!);
    await fixture.start('http-sink', cs!);
    // The second instance runs in a process of its own, from the sources, so that it can be killed.
    child = await startProcess({
      command: process.execPath,
      args: ['--import', 'tsx', 'app/cli.ts', 'run', 'processor'],
      env: environmentOf(c2!),
      readyUrl: `http://127.0.0.1:${c2!.PORT}/readyz`,
      readyTimeoutMs: 90_000,
    });

    // A subscription whose notify partition the child runs: every notification of it waits for
    // the takeover once the child is gone.
    const streams = p1.streams[0]!;
    const childEndpoint = queryEndpoint(c2!).endpoint;
    const id = await waitFor(
      async () => {
        for (const candidate of ['glucose-a', 'glucose-b', 'glucose-c', 'glucose-d']) {
          const owner = await streams.ownerOf(c1!.TOPIC_DELIVERY_OUTCOMES, `Subscription/${candidate}`);
          if (owner.endpoint === childEndpoint) return candidate;
        }
        return undefined;
      },
      { timeoutMs: 30_000, what: 'the child instance owning a subscription partition' },
    );
    expect((await call(p1.url, 'PUT', `/fhir/Subscription/${id}`, classicR4(`${hook}/r4`))).status).toBe(201);
    const deliveries = (): Received[] => receiver.accepted.filter((r) => r.url.startsWith('/r4/'));

    await postGlucose(p1.url, ['a1', 'a2', 'a3', 'a4']);
    await expectEvents(deliveries, 4);

    await child.kill9();
    const killedAt = Date.now();
    await postGlucose(p1.url, ['b1', 'b2', 'b3', 'b4']);
    await expectEvents(deliveries, 8, 25_000);
    const takeoverMs = Date.now() - killedAt;
    // At least the session timeout (the child was the only one to run that subscription), and far
    // below the 30 s that was fixed before the setting.
    expect(takeoverMs).toBeGreaterThanOrEqual(SESSION_TIMEOUT_MS - 1_000);
    expect(takeoverMs).toBeLessThan(20_000);
  });
});
