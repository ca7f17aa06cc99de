/** Consumer group lag over time: the topic's high watermarks minus the group's committed offsets. */
import type { Admin } from 'kafkajs';

export interface LagSample {
  at: number;
  groupId: string;
  topic: string;
  /** Sum over partitions. */
  lag: number;
  byPartition: Record<number, number>;
}

/** Lag from high watermarks and committed offsets; an uncommitted partition lags from its low watermark. */
export function computeLag(
  high: readonly { partition: number; high: string; low: string }[],
  committed: readonly { partition: number; offset: string }[],
): { lag: number; byPartition: Record<number, number> } {
  const byPartition: Record<number, number> = {};
  let lag = 0;
  for (const p of high) {
    const offset = committed.find((c) => c.partition === p.partition)?.offset ?? '-1';
    const from = Number(offset) >= 0 ? Number(offset) : Number(p.low);
    const value = Math.max(0, Number(p.high) - from);
    byPartition[p.partition] = value;
    lag += value;
  }
  return { lag, byPartition };
}

export interface LagSampler {
  sample(): Promise<LagSample[]>;
  samples(): readonly LagSample[];
}

export function lagSampler(options: {
  admin: Admin;
  groupId: string;
  topics: readonly string[];
}): LagSampler {
  const samples: LagSample[] = [];
  return {
    samples: () => samples,
    async sample() {
      const taken: LagSample[] = [];
      const groupOffsets = await options.admin.fetchOffsets({
        groupId: options.groupId,
        topics: [...options.topics],
      });
      for (const topic of options.topics) {
        const high = await options.admin.fetchTopicOffsets(topic);
        const committed = groupOffsets.find((g) => g.topic === topic)?.partitions ?? [];
        taken.push({ at: Date.now(), groupId: options.groupId, topic, ...computeLag(high, committed) });
      }
      samples.push(...taken);
      return taken;
    },
  };
}
