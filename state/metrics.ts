/**
 * The metrics port. Components receive one and create their instruments from it; there is no
 * module-level registry. topology/ adapts it to a prom-client registry.
 */
export type Labels = Record<string, string | number>;

export interface CounterMetric {
  inc(labels?: Labels, value?: number): void;
}

export interface GaugeMetric {
  set(labels: Labels, value: number): void;
}

export interface MetricsPort {
  counter(name: string, help: string, labelNames?: readonly string[]): CounterMetric;
  gauge(name: string, help: string, labelNames?: readonly string[]): GaugeMetric;
}

/** Discards every measurement. */
export const noMetrics: MetricsPort = {
  counter: () => ({ inc: () => undefined }),
  gauge: () => ({ set: () => undefined }),
};
