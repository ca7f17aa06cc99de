import type { ChangeEvent, FhirResource } from '../../processors/index.js';
import { DecodeError } from '../../state/index.js';
import type { HttpPorts, ResourceRegistry, WriteResult } from '../../app/http/index.js';

/** An in-memory registry that refuses resources carrying `"invalid": true`, as a compiler would. */
export class FakeRegistry implements ResourceRegistry {
  readonly items = new Map<string, FhirResource>();
  constructor(readonly resourceType: 'Subscription' | 'SubscriptionTopic') {}
  async get(id: string): Promise<FhirResource | undefined> {
    return this.items.get(id);
  }
  async list(): Promise<FhirResource[]> {
    return [...this.items.values()];
  }
  async put(resource: FhirResource): Promise<WriteResult> {
    if (resource.invalid === true)
      return { ok: false, status: 422, reason: 'criteria: unknown search parameter' };
    const created = !this.items.has(resource.id!);
    this.items.set(resource.id!, resource);
    return { ok: true, resource, created };
  }
  async delete(id: string): Promise<boolean> {
    return this.items.delete(id);
  }
}

export function fakePorts(): HttpPorts & { submitted: ChangeEvent[]; subscriptionsFake: FakeRegistry } {
  const submitted: ChangeEvent[] = [];
  const subscriptionsFake = new FakeRegistry('Subscription');
  return {
    submitted,
    subscriptionsFake,
    subscriptions: subscriptionsFake,
    topics: new FakeRegistry('SubscriptionTopic'),
    status: {
      async status(id) {
        return subscriptionsFake.items.has(id)
          ? { resourceType: 'SubscriptionStatus', status: 'active' }
          : undefined;
      },
      async events(id) {
        return subscriptionsFake.items.has(id) ? { resourceType: 'Bundle', type: 'history' } : undefined;
      },
    },
    intake: {
      async validate(value: unknown): Promise<ChangeEvent> {
        const v = value as Partial<ChangeEvent>;
        if (!v || typeof v !== 'object' || !v.resourceType || !v.id || !v.interaction) {
          throw new DecodeError('resourceType, id and interaction are required');
        }
        return v as ChangeEvent;
      },
      async submit(changes) {
        submitted.push(...changes);
      },
    },
    readiness: { ready: () => ({ ready: true }) },
    metrics: { contentType: 'text/plain; version=0.0.4', metrics: async () => '# no metrics\n' },
  };
}
