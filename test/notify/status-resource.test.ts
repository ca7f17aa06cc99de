import { describe, expect, it } from 'vitest';
import { statusSearchBundle } from '../../processors/index.js';
import { expectFhirJson } from './fhir-shapes.js';
import { BASE, backportSubscription, expectGolden, harness, match, r5Subscription } from './support.js';

describe('$status data', () => {
  it('builds a searchset of SubscriptionStatus (R5) with query-status, counters and errors', async () => {
    const { processor } = harness();
    const sub = r5Subscription('id-only');
    const [, ev] = await processor.process(match(sub), sub);
    await processor.outcome({
      subscriptionId: sub.id,
      notificationId: ev!.notificationId,
      eventNumber: 1,
      result: 'dead-lettered',
      attempts: 5,
      error: 'HTTP 410',
      at: '2026-01-01T10:05:00.000Z',
    });
    const record = (await processor.statusOf(sub.id))!;
    const bundle = statusSearchBundle([{ sub, record, baseUrl: BASE }]);
    expectFhirJson(bundle);
    expect(bundle).toMatchObject({
      type: 'searchset',
      entry: [
        {
          resource: {
            resourceType: 'SubscriptionStatus',
            status: 'error',
            type: 'query-status',
            eventsSinceSubscriptionStart: '1',
            error: [{ text: 'HTTP 410' }],
          },
        },
      ],
    });
    expectGolden('status-r5', bundle);
  });

  it('builds the R4 backport status as Parameters', async () => {
    const { processor } = harness();
    const sub = backportSubscription('R4', 'full-resource');
    await processor.process(match(sub), sub);
    const bundle = statusSearchBundle([{ sub, record: (await processor.statusOf(sub.id))!, baseUrl: BASE }]);
    expectFhirJson(bundle);
    const params = (
      bundle.entry as {
        resource: { parameter: { name: string; valueCode?: string; valueString?: string }[] };
      }[]
    )[0]!.resource.parameter;
    expect(params.find((p) => p.name === 'type')!.valueCode).toBe('query-status');
    expect(params.find((p) => p.name === 'events-since-subscription-start')!.valueString).toBe('1');
    expectGolden('status-r4-backport', bundle);
  });
});
