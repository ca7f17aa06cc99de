import { describe, expect, it } from 'vitest';
import {
  adaptiveFetch,
  followFlow,
  type FetchedBatch,
  type FetchingGroup,
} from '../../../connectors/kafka/adaptive-fetch.js';

const batch = (records: number): FetchedBatch => ({ isEmptyIncludingFiltered: () => records === 0 });

/** A group whose fetches return the given batches in turn, recording the settings each one used. */
function group(results: FetchedBatch[][]) {
  const seen: { minBytes: number; maxWaitTime: number }[] = [];
  const self: FetchingGroup = { groupId: 'g', minBytes: 65_536, maxWaitTime: 5 };
  const original = async function (this: FetchingGroup): Promise<FetchedBatch[]> {
    seen.push({ minBytes: this.minBytes, maxWaitTime: this.maxWaitTime });
    return results.shift() ?? [];
  };
  return { self, seen, original };
}

describe('adaptiveFetch', () => {
  it('asks for 1 byte with the idle wait after a fetch without records, and for the configured bytes after one with records', async () => {
    const { self, seen, original } = group([[batch(3)], [batch(0), batch(0)], [], [batch(0), batch(2)], []]);
    const fetch = adaptiveFetch(original, () => 500);
    for (let i = 0; i < 5; i++) await fetch.call(self, 1);
    expect(seen).toEqual([
      { minBytes: 65_536, maxWaitTime: 5 }, // first fetch: as configured
      { minBytes: 65_536, maxWaitTime: 5 }, // after records
      { minBytes: 1, maxWaitTime: 500 }, // after empty batches
      { minBytes: 1, maxWaitTime: 500 }, // after nothing fetched (every partition paused)
      { minBytes: 65_536, maxWaitTime: 5 }, // records again
    ]);
  });

  it('leaves groups that are not registered as kafkajs made them', async () => {
    const { self, seen, original } = group([[batch(0)], [batch(0)]]);
    const fetch = adaptiveFetch(original, () => undefined);
    await fetch.call(self, 1);
    await fetch.call(self, 1);
    expect(seen).toEqual([
      { minBytes: 65_536, maxWaitTime: 5 },
      { minBytes: 65_536, maxWaitTime: 5 },
    ]);
  });
});

describe('followFlow', () => {
  it("wraps kafkajs's ConsumerGroup fetch once, when a group is first registered", async () => {
    const { createRequire } = await import('node:module');
    const require = createRequire(import.meta.url);
    const { prototype } = require('kafkajs/src/consumer/consumerGroup.js') as {
      prototype: { fetch: unknown };
    };
    const shipped = prototype.fetch;
    const end = followFlow('follow-flow-test', 300);
    const wrapped = prototype.fetch;
    expect(wrapped).not.toBe(shipped);
    const endAgain = followFlow('follow-flow-test', 300);
    expect(prototype.fetch).toBe(wrapped);
    end();
    end();
    endAgain();
  });
});
