import { expect, it } from 'vitest';
import { ConfigError, codecs } from '../../state/index.js';
import { parseStreamsConfig, TopologyBuilder } from '../../topology/index.js';
import { countTopology } from '../fakes/count-topology.js';

it('describes sub-topologies split at the repartition topic, with stores and internal topics', () => {
  const topology = countTopology({ input: 'in', output: 'out', rekey: (_k, v) => v });
  expect(topology.describe('app')).toBe(
    [
      'Topologies:',
      '  Sub-topology: 0',
      '    Source: input (topic: in)',
      '      --> by-key-sink',
      '    Sink: by-key-sink (topic: app-by-key-repartition)',
      '      <-- input',
      '  Sub-topology: 1 (stores: counts)',
      '    Source: by-key (topic: app-by-key-repartition)',
      '      --> count',
      '    Processor: count (stores: counts)',
      '      --> output',
      '      <-- by-key',
      '    Sink: output (topic: out)',
      '      <-- count',
    ].join('\n'),
  );
  expect(topology.changelogTopic('app', 'counts')).toBe('app-counts-changelog');
});

it('refuses an unknown parent or store, naming the node', () => {
  const builder = new TopologyBuilder().source('input', { topic: 'in', value: codecs.string });
  expect(() =>
    builder.processor('p', { parents: ['nope'], processor: () => ({ process: () => undefined }) }),
  ).toThrow(/nodes\.p\.parents: unknown parent nope/);
  builder.processor('q', {
    parents: ['input'],
    stores: ['missing'],
    processor: () => ({ process: () => undefined }),
  });
  expect(() => builder.build()).toThrow(ConfigError);
});

it('validates the runtime configuration, reporting every setting at once', () => {
  expect(parseStreamsConfig({ applicationId: 'app' })).toMatchObject({
    processingGuarantee: 'at_least_once',
    commitIntervalMs: 1000,
  });
  try {
    parseStreamsConfig({ applicationId: '', processingGuarantee: 'maybe', commitIntervalMs: -1 });
    expect.unreachable();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => i.setting).sort()).toEqual([
      'applicationId',
      'applicationId',
      'commitIntervalMs',
      'processingGuarantee',
    ]);
  }
});
