import { afterAll, expect, it } from 'vitest';
import { openCountApp, removeCountApps } from './count-app.js';
import { produce, waitFor } from './kafka-helpers.js';

afterAll(removeCountApps);

// While records flow a fetch asks for many bytes and may wait for them; an idle consumer asks for
// 1 byte, so the first record after a quiet spell is processed at once, not after the flowing
// fetch's wait (connectors/kafka/adaptive-fetch.ts). The waits here are long to tell them apart.
it('processes the first record after a quiet spell at once, however many bytes a flowing fetch asks for', async () => {
  const FLOWING_WAIT_MS = 4_000;
  const app = await openCountApp('adaptive-fetch', 2, {
    fetchMinBytes: 1_048_576,
    fetchMaxWaitMs: FLOWING_WAIT_MS,
    fetchIdleWaitMs: 300,
  });
  const { arrivals } = app;
  await app.start();
  try {
    // Quiet: the consumer's fetches come back empty, so it is in its idle mode.
    await new Promise((resolve) => setTimeout(resolve, FLOWING_WAIT_MS + 1_000));
    for (const key of ['a', 'b']) {
      const sent = Date.now();
      await produce(app.input, [{ key, value: key }]);
      await waitFor(() => arrivals.length >= (key === 'a' ? 1 : 2), 3 * FLOWING_WAIT_MS);
      // Well under the flowing fetch's wait, which a 1-byte record never fills.
      expect(arrivals.at(-1)! - sent).toBeLessThan(FLOWING_WAIT_MS / 2);
      // Quiet again: the fetch after the record waits out its flowing wait, comes back empty.
      await new Promise((resolve) => setTimeout(resolve, FLOWING_WAIT_MS + 1_000));
    }
  } finally {
    await app.stop();
  }
});
