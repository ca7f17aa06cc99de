import type { CleanableRecord, LogStore } from './log-store.js';

export interface LogCleanerOptions {
  /** Records of delete-retention topics older than this are removed. Default 7 days. */
  retentionMs?: number;
  /** How long a tombstone of a compacted topic stays after it became the key's latest record. Default 24 h. */
  tombstoneRetentionMs?: number;
  /** Records looked at per pass, over all partitions (bounds the work of one pass). Default 20,000. */
  recordsPerPass?: number;
  /** Time between passes. Default 60 s. */
  intervalMs?: number;
  now?: () => number;
}

export interface CleanerPass {
  examined: number;
  removed: number;
}

const CHUNK = 1000;

/**
 * Retention and compaction of the embedded log, like Kafka's log cleaner. Compacted topics keep the
 * latest record per key (an index of the latest offset per key is kept with each append); a
 * tombstone goes once it is older than `tombstoneRetentionMs`. Other topics lose records older
 * than `retentionMs`. Only records below
 * every reader's position are touched (groups' committed offsets, running consumers and tails), and
 * never a partition's last record. Each pass looks at a bounded number of records, resuming where
 * the previous one stopped.
 */
export class LogCleaner {
  private readonly cursors = new Map<string, bigint>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private readonly o: Required<LogCleanerOptions>;

  constructor(
    private readonly log: LogStore,
    options: LogCleanerOptions = {},
  ) {
    this.o = {
      retentionMs: options.retentionMs ?? 7 * 24 * 3600_000,
      tombstoneRetentionMs: options.tombstoneRetentionMs ?? 24 * 3600_000,
      recordsPerPass: options.recordsPerPass ?? 20_000,
      intervalMs: options.intervalMs ?? 60_000,
      now: options.now ?? Date.now,
    };
  }

  start(onError: (error: unknown) => void): void {
    const tick = () => {
      this.running = this.pass()
        .catch(onError)
        .finally(() => {
          if (this.timer !== undefined) this.timer = setTimeout(tick, this.o.intervalMs).unref();
        });
    };
    this.timer = setTimeout(tick, this.o.intervalMs).unref();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One bounded pass over every topic; returns what it looked at and removed. */
  async pass(): Promise<CleanerPass> {
    const total: CleanerPass = { examined: 0, removed: 0 };
    for (const spec of this.log.topicSpecs()) {
      for (let partition = 0; partition < spec.partitions; partition++) {
        const budget = this.o.recordsPerPass - total.examined;
        if (budget <= 0) return total;
        const done = spec.compacted
          ? await this.compact(spec.topic, partition, budget)
          : await this.expire(spec.topic, partition, budget);
        total.examined += done.examined;
        total.removed += done.removed;
      }
    }
    return total;
  }

  private async compact(topic: string, partition: number, budget: number): Promise<CleanerPass> {
    const id = `${topic}\u0000${partition}`;
    const below = await this.log.cleanableBelow(topic, partition);
    let from = this.cursors.get(id) ?? 0n;
    const tombstoneBefore = this.o.now() - this.o.tombstoneRetentionMs;
    const pass: CleanerPass = { examined: 0, removed: 0 };
    while (pass.examined < budget) {
      const records = await this.log.scan(
        topic,
        partition,
        from,
        below,
        Math.min(CHUNK, budget - pass.examined),
      );
      if (records.length === 0) {
        from = 0n; // reached the readers' positions: the next pass starts over
        break;
      }
      pass.examined += records.length;
      const superseded: bigint[] = [];
      const expired: CleanableRecord[] = [];
      for (const r of records) {
        if (r.key === null) continue;
        const latest = await this.log.latestOffset(topic, partition, r.key);
        if (latest === undefined) continue; // not indexed (written before the index): kept
        if (latest > r.offset) superseded.push(r.offset);
        else if (r.tombstone && r.timestamp < tombstoneBefore) expired.push(r);
      }
      await this.log.remove(topic, partition, superseded, expired);
      pass.removed += superseded.length + expired.length;
      from = records[records.length - 1]!.offset + 1n;
    }
    this.cursors.set(id, from);
    return pass;
  }

  private async expire(topic: string, partition: number, budget: number): Promise<CleanerPass> {
    const below = await this.log.cleanableBelow(topic, partition);
    const before = this.o.now() - this.o.retentionMs;
    const pass: CleanerPass = { examined: 0, removed: 0 };
    // Oldest first: records are in offset order, so the first one young enough ends the pass.
    while (pass.examined < budget) {
      const chunk = Math.min(CHUNK, budget - pass.examined);
      const records = await this.log.scan(topic, partition, 0n, below, chunk);
      if (records.length === 0) break;
      pass.examined += records.length;
      const fresh = records.findIndex((r) => r.timestamp >= before);
      const gone = records.slice(0, fresh < 0 ? records.length : fresh).map((r) => r.offset);
      if (gone.length > 0) await this.log.remove(topic, partition, gone);
      pass.removed += gone.length;
      if (fresh >= 0) break;
    }
    return pass;
  }
}
