/**
 * A subscriber endpoint down for a period: the receiver answers an error status to the chosen
 * subscriptions, or (mode `refuse`) closes its listener for everyone. Resolves when it is back.
 */
import type { HttpReceiver } from '../../bench/harness/index.js';

export type OutageMode =
  { kind: 'status'; status: 500 | 503; subscriptionIds?: string[] } | { kind: 'refuse' };

export async function endpointOutage(
  receiver: HttpReceiver,
  mode: OutageMode,
  durationMs: number,
): Promise<void> {
  if (mode.kind === 'refuse') {
    await receiver.goDown(durationMs);
    await receiver.whenUp();
    return;
  }
  receiver.failFor({
    durationMs,
    status: mode.status,
    ...(mode.subscriptionIds !== undefined ? { subscriptionIds: mode.subscriptionIds } : {}),
  });
  await new Promise((resolve) => setTimeout(resolve, durationMs));
}
