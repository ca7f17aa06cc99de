import { afterAll, describe, expect, it } from 'vitest';
import { runLoad } from '../../bench/load/run-load.js';
import { uniqueName } from '../support/infra.js';
import { deleteRunTopics, loadOptions, report, SHARED_BROKERS, topicEnv } from './fault-run.js';
import { FAULTS_ENABLED, startService, type RunningService } from './service-under-test.js';

// Two instances share the work; the second is killed with SIGKILL 10 s into the load. Under
// at_least_once nothing may be missing (duplicates are allowed and counted).
describe.skipIf(!FAULTS_ENABLED)('kill -9 of a processor instance under load', () => {
  const prefix = uniqueName('fault-kill');
  const services: RunningService[] = [];
  afterAll(async () => {
    for (const s of services) await s.stop();
    await deleteRunTopics(SHARED_BROKERS, prefix);
  });

  it('nothing missing (at_least_once)', async () => {
    const env = topicEnv(prefix);
    const first = await startService({ port: 28181, brokers: SHARED_BROKERS, env });
    services.push(first);
    const second = await startService({ port: 28182, brokers: SHARED_BROKERS, env });
    services.push(second);
    const { result } = await runLoad({
      ...loadOptions(first, SHARED_BROKERS, env.TOPIC_CHANGELOG, 'faults-kill9'),
      pids: [first.pid, second.pid],
      consumerGroup: prefix,
      faults: [
        { name: 'kill -9 second instance', atSeconds: 10, run: async () => void (await second.kill9()) },
      ],
    });
    report('kill -9 (at_least_once)', result.counts);
    expect(result.counts.missing).toBe(0);
  });
});
