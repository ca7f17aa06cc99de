import { filter, mergeMap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { codecs } from '../../state/index.js';
import {
  flatMapValues,
  mapValues,
  rxProcessor,
  TopologyBuilder,
  TopologyTestDriver,
} from '../../topology/index.js';

describe('processors written as RxJS operators', () => {
  it('forward what the operator emits, in input order, also when it is asynchronous', async () => {
    const topology = new TopologyBuilder()
      .source<string>('in', { topic: 'in', value: codecs.string })
      .processor('split', {
        parents: ['in'],
        processor: rxProcessor<string, string>(flatMapValues((v: string) => v.split(','))),
      })
      .processor('slow-upper', {
        parents: ['split'],
        // A later record may finish first inside the operator; the runtime still forwards in order.
        processor: rxProcessor<string, string>((source) =>
          source.pipe(
            filter((r) => r.value !== 'skip'),
            mergeMap(async (r) => {
              await new Promise((resolve) => setTimeout(resolve, r.value.length));
              return r;
            }),
            mapValues((v: string) => v.toUpperCase()),
          ),
        ),
      })
      .sink('out', { parents: ['slow-upper'], topic: 'out', value: codecs.string })
      .build();
    const driver = await TopologyTestDriver.create({
      topology,
      topics: [
        { topic: 'in', partitions: 1 },
        { topic: 'out', partitions: 1 },
      ],
    });
    try {
      await driver.pipeInput('in', 'k', 'aaaa,b,skip', { codec: codecs.string });
      await driver.pipeInput('in', 'k', 'cc', { codec: codecs.string });
      await driver.settle();
      const out = await driver.readOutput('out', codecs.string);
      expect(out.map((r) => r.value)).toEqual(['AAAA', 'B', 'CC']);
    } finally {
      await driver.close();
    }
  });
});
