import type { Registry } from 'prom-client';
import { Counter, Gauge } from 'prom-client';
import type { CounterMetric, GaugeMetric, MetricsPort } from '../state/index.js';

/** The metrics port over a prom-client registry the application owns. */
export function prometheusMetrics(registry: Registry): MetricsPort {
  const counters = new Map<string, Counter>();
  const gauges = new Map<string, Gauge>();
  return {
    counter(name, help, labelNames = []): CounterMetric {
      let counter = counters.get(name);
      if (counter === undefined) {
        counter = new Counter({ name, help, labelNames: [...labelNames], registers: [registry] });
        counters.set(name, counter);
      }
      const c = counter;
      return { inc: (labels = {}, value = 1) => c.inc(labels, value) };
    },
    gauge(name, help, labelNames = []): GaugeMetric {
      let gauge = gauges.get(name);
      if (gauge === undefined) {
        gauge = new Gauge({ name, help, labelNames: [...labelNames], registers: [registry] });
        gauges.set(name, gauge);
      }
      const g = gauge;
      return { set: (labels, value) => g.set(labels, value) };
    },
  };
}
