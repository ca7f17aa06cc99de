import { codecs } from '../../state/index.js';
import type { Processor, Topology } from '../../topology/index.js';
import { TopologyBuilder } from '../../topology/index.js';

export interface CountTopologyOptions {
  input: string;
  output: string;
  /** Re-key by this function through a repartition topic before counting. */
  rekey?: (key: string | null, value: string) => string;
  /** Milliseconds of simulated work per record. */
  delayMs?: number;
}

/** Counts records per key in store `counts` and emits `{ key, count, value }` for each record. */
export function countTopology(options: CountTopologyOptions): Topology {
  const builder = new TopologyBuilder().source('input', { topic: options.input, value: codecs.string });
  let parent = 'input';
  if (options.rekey) {
    const rekey = options.rekey;
    builder.repartition<string>('by-key', {
      parent,
      key: (r) => rekey(r.key, r.value),
      value: codecs.string,
    });
    parent = 'by-key';
  }
  const counter = (): Processor<string, { key: string; count: number; value: string }> => ({
    async process(record, context) {
      if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
      const store = context.store<number>('counts');
      const key = record.key ?? '';
      const count = ((await store.get(key)) ?? 0) + 1;
      await store.put(key, count);
      await context.forward({ ...record, value: { key, count, value: record.value } });
    },
  });
  return builder
    .store('counts', { value: codecs.json<number>() })
    .processor('count', { parents: [parent], stores: ['counts'], processor: counter })
    .sink('output', { parents: ['count'], topic: options.output, value: codecs.json() })
    .build();
}
