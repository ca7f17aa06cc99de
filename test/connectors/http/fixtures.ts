/** Shared setup for the rest-hook integration tests. */
import { HttpSink } from '../../../connectors/index.js';
import type { DeliveryOptions, Notification } from '../../../processors/index.js';
import { notification } from '../../fixtures/notifications.js';
import { HttpReceiver, type Responder } from '../../fakes/http-receiver.js';
import { startLiveStage, type LiveStage } from '../../deliver/live-stage.js';

/** A sink allowed to reach loopback, as a test on one machine needs. */
export function loopbackSink(config: { breakerFailures?: number } = {}): HttpSink {
  return new HttpSink({ config: { endpointAllowlist: ['127.0.0.1/32'], breakerFailures: 1_000, ...config } });
}

export function hookNotifications(
  subscriptionId: string,
  endpoint: string,
  count: number,
  extra: Partial<Notification> = {},
): Notification[] {
  return Array.from({ length: count }, (_, i) =>
    notification(subscriptionId, i + 1, { channel: { type: 'rest-hook', endpoint, headers: [] }, ...extra }),
  );
}

/**
 * A loopback receiver answering with `responder`, and the delivery stage over a rest-hook sink.
 * One request at a time per subscription by default: these scenarios look at each request's answer
 * (with a window, the requests behind a refused one are already on their way).
 */
export function restHookScenario(
  responder: Responder,
  stageOptions: Partial<DeliveryOptions> = { laneWindow: 1 },
) {
  const receiver = new HttpReceiver(responder);
  const sink = loopbackSink();
  let stage: LiveStage | undefined;
  return {
    receiver,
    async start(): Promise<{ endpoint: string; stage: LiveStage }> {
      const endpoint = await receiver.start();
      await sink.connect();
      stage = await startLiveStage(sink, stageOptions);
      return { endpoint, stage };
    },
    async stop(): Promise<void> {
      await stage?.stop();
      await sink.close();
      await receiver.stop();
    },
  };
}
