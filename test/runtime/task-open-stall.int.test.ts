import { afterAll, expect, it } from 'vitest';
import { openCountApp, removeCountApps } from './count-app.js';
import { produce, waitFor } from './kafka-helpers.js';

afterAll(removeCountApps);

// The first batches reach tasks that are still opening their stores. A partition paused for them
// is fetched again only after the consumer's next fetch returns, and with every partition paused
// kafkajs sleeps the whole fetch wait first: a new instance (or one that was just given
// partitions) would sit idle that long on a backlog.
it('processes a backlog at once on start, without waiting out the fetch wait', async () => {
  const FETCH_WAIT_MS = 15_000;
  const app = await openCountApp('task-open', 4, {
    // Every fetch, busy or idle, may be held this long; and one with any record is answered.
    fetchMinBytes: 1,
    fetchMaxWaitMs: FETCH_WAIT_MS,
    fetchIdleWaitMs: FETCH_WAIT_MS,
  });
  await produce(
    app.input,
    Array.from({ length: 200 }, (_, i) => ({ key: `k${i % 16}`, value: `v${i}` })),
  );
  const started = Date.now();
  await app.start();
  try {
    await waitFor(() => app.arrivals.length >= 200, FETCH_WAIT_MS + 20_000);
    // Well inside the fetch wait: the group join and the stores' opening take a second or two.
    expect(app.arrivals.at(-1)! - started).toBeLessThan(FETCH_WAIT_MS / 3);
  } finally {
    await app.stop();
  }
});
