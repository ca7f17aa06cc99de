import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createDeliveryMetrics } from '../../connectors/index.js';

describe('delivery metrics', () => {
  it('records attempts, outcomes, latency and parked subscriptions on the registry it is given', async () => {
    const registry = new Registry();
    const http = createDeliveryMetrics(registry, { sink: 'http', task: '0' });
    const amqp = createDeliveryMetrics(registry, { sink: 'amqp', task: '0' });
    http.attempt('delivered');
    http.attempt('retriable');
    amqp.attempt('delivered');
    http.outcome('delivered');
    http.latency(0.2);
    http.parkedSubscriptions(3);
    const text = await registry.metrics();
    expect(text).toContain('substream_delivery_attempts_total{sink="http",result="delivered"} 1');
    expect(text).toContain('substream_delivery_attempts_total{sink="amqp",result="delivered"} 1');
    expect(text).toContain('substream_delivery_outcomes_total{sink="http",result="delivered"} 1');
    expect(text).toContain('substream_delivery_latency_seconds_bucket{le="0.25",sink="http"} 1');
    expect(text).toContain('substream_delivery_parked_subscriptions{sink="http",task="0"} 3');
  });
});
