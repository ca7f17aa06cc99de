import type { TopicPartitionOffset } from '../../state/index.js';

type Commit = (offsets: readonly TopicPartitionOffset[]) => Promise<void>;

interface Waiting {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Joins the offset commits of an instance's tasks into fewer OffsetCommit requests. Every task
 * commits its own partitions once per commit interval, one request each: a request a second per
 * task, each a write to the broker's offsets log, growing with the partitions an instance owns.
 * The tasks' commits are spread over the interval in eight phases by partition (task.ts), so the
 * tasks of one phase (the same partition of each sub-topology, and partitions 8 apart) commit
 * together. Here one request is in flight at a time; the commits that arrive meanwhile wait and
 * leave together once it is answered, so the requests follow the phases, not the tasks. A later
 * offset of a partition replaces an earlier one still waiting. A failed request fails every
 * commit in it.
 */
export function coalescingCommits(commit: Commit): Commit {
  let offsets = new Map<string, TopicPartitionOffset>();
  let waiting: Waiting[] = [];
  let running = false;
  const run = async (): Promise<void> => {
    while (waiting.length > 0) {
      const group = waiting;
      const batch = [...offsets.values()];
      waiting = [];
      offsets = new Map();
      try {
        await commit(batch);
      } catch (error) {
        for (const w of group) w.reject(error);
        continue;
      }
      for (const w of group) w.resolve();
    }
    running = false;
  };
  return (next) =>
    new Promise<void>((resolve, reject) => {
      for (const o of next) {
        const key = `${o.topic}:${o.partition}`;
        const known = offsets.get(key);
        if (known === undefined || BigInt(o.offset) > BigInt(known.offset)) offsets.set(key, o);
      }
      waiting.push({ resolve, reject });
      if (running) return;
      running = true;
      // Tasks whose interval ended in this turn of the event loop leave with the first one.
      setImmediate(() => void run());
    });
}
