/**
 * STREAM_FAILURE_POLICY=shutdown-client on the real broker: a processor whose worker stream thread
 * is terminated reports the failure through `failed` and stops itself, as SIGTERM would stop it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/infra.js';
import { keptWorkers, ServiceFixture } from '../support/service.js';

const fixture = new ServiceFixture({ kafka: true, settings: { PARTITIONS: 4 } });

afterAll(async () => {
  await fixture.cleanup();
});

describe('a processor under shutdown-client whose worker stream thread is terminated', () => {
  it('reports the failed thread and stops', async () => {
    const { workers, spawnStreamThread } = keptWorkers();
    const processor = await fixture.start(
      'processor',
      await fixture.config({ PROCESSOR_THREADS: 2, STREAM_FAILURE_POLICY: 'shutdown-client' }),
      { spawnStreamThread },
    );

    await workers[0]!.terminate();
    const failure = await processor.failed;
    expect(failure.thread).toBe(1);
    expect(failure.error.message).toContain('exited');
    await waitFor(() => (processor.streams[0]!.state === 'stopped' ? true : undefined), {
      timeoutMs: 30_000,
      what: 'the processor stopped',
    });
    expect(workers).toHaveLength(1);
  });
});
