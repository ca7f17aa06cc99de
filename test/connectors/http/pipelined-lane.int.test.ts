import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startLiveStage, type LiveStage } from '../../deliver/live-stage.js';
import { until } from '../../fakes/wait.js';
import { hookNotifications, loopbackSink } from './fixtures.js';

/**
 * One busy subscription over a real connection: its requests are pipelined (several in flight) and
 * still reach the subscriber in event order.
 */
describe('rest-hook: a window of pipelined requests per subscription', () => {
  const sink = loopbackSink();
  let server: Server | undefined;
  let stage: LiveStage | undefined;

  afterEach(async () => {
    await stage?.stop();
    await sink.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it('keeps several requests of one subscription in flight and delivers them in order', async () => {
    const arrived: number[] = [];
    let open = 0;
    let mostOpen = 0;
    server = createServer((req, res) => {
      arrived.push(Number(req.headers['x-substream-event-number']));
      open += 1;
      mostOpen = Math.max(mostOpen, open);
      req.resume();
      // Answer a little later, so the next requests of the window are already on the wire.
      setTimeout(() => {
        open -= 1;
        res.writeHead(200).end();
      }, 2);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    await sink.connect();
    stage = await startLiveStage(sink, { laneWindow: 8 });
    await stage.feed(hookNotifications('busy', endpoint, 300));
    await until(() => stage!.processor.committableOffset() === '300', 20_000, 'all delivered');
    expect(arrived).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(mostOpen).toBeGreaterThan(1);
    expect(mostOpen).toBeLessThanOrEqual(8);
    expect(stage.outcomes.filter((o) => o.result === 'delivered').map((o) => o.eventNumber)).toEqual(
      Array.from({ length: 300 }, (_, i) => i + 1),
    );
  });
});
