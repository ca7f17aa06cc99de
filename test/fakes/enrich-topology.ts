import { codecs } from '../../state/index.js';
import type { Topology } from '../../topology/index.js';
import { TopologyBuilder } from '../../topology/index.js';

/** Appends `:<name>` to each input value, the name looked up by key in the global table `names`. */
export function enrichTopology(topics: { input: string; output: string; table: string }): Topology {
  return new TopologyBuilder()
    .globalTable('names', { topic: topics.table, value: codecs.json<string>() })
    .source('input', { topic: topics.input, value: codecs.string })
    .processor<string, string>('enrich', {
      parents: ['input'],
      processor: () => ({
        async process(record, context) {
          const name = context.table<string>('names').get(record.key ?? '') ?? 'unknown';
          await context.forward({ ...record, value: `${record.value}:${name}` });
        },
      }),
    })
    .sink('output', { parents: ['enrich'], topic: topics.output, value: codecs.string })
    .build();
}
