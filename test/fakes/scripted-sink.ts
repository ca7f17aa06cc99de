/**
 * A sink whose answers a test scripts per subscription: each write takes the next scripted answer
 * (or delivers when none is left) and is recorded.
 */
import type { AttemptResult, DeliverySink, Notification } from '../../processors/index.js';
import { TransportError } from '../../state/index.js';

export type ScriptedAnswer = AttemptResult | 'not-connected';

export class ScriptedSink implements DeliverySink {
  readonly name = 'scripted';
  readonly attempts: Notification[] = [];
  readonly delivered: Notification[] = [];
  private readonly scripts = new Map<string, ScriptedAnswer[]>();

  /** Queues answers for the next attempts of one subscription. */
  script(subscriptionId: string, ...answers: ScriptedAnswer[]): void {
    this.scripts.set(subscriptionId, [...(this.scripts.get(subscriptionId) ?? []), ...answers]);
  }

  async write(notification: Notification): Promise<AttemptResult> {
    this.attempts.push(notification);
    const answer = this.scripts.get(notification.subscriptionId)?.shift();
    if (answer === 'not-connected') throw new TransportError('not connected', { retriable: true });
    if (answer !== undefined && answer.kind !== 'delivered') return answer;
    this.delivered.push(notification);
    return { kind: 'delivered', statusCode: 200 };
  }

  deliveredEvents(subscriptionId: string): number[] {
    return this.delivered.filter((n) => n.subscriptionId === subscriptionId).map((n) => n.eventNumber);
  }
}
