import { AssignerProtocol } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { coPartitionedAssigner } from '../../../connectors/kafka/assigner.js';

const TOPICS = ['changes', 'matches'];
const PARTITIONS = 4;

/** The assigner's view of a cluster: every topic with PARTITIONS partitions. */
const cluster = {
  findTopicPartitionMetadata: () => Array.from({ length: PARTITIONS }, (_, partitionId) => ({ partitionId })),
};

function member(clientId: string, endpoint: string) {
  return {
    memberId: `${clientId}-${crypto.randomUUID()}`,
    memberMetadata: AssignerProtocol.MemberMetadata.encode({
      version: 1,
      topics: TOPICS,
      userData: Buffer.from(endpoint),
    }),
  };
}

async function assign(members: ReturnType<typeof member>[]): Promise<Map<string, Record<string, number[]>>> {
  type AssignerContext = Parameters<ReturnType<typeof coPartitionedAssigner>>[0];
  // Only findTopicPartitionMetadata is used of the cluster.
  const context = { cluster, groupId: 'g', logger: {} } as unknown as AssignerContext;
  const assigner = coPartitionedAssigner(undefined)(context);
  const plan = await assigner.assign({ members, topics: TOPICS });
  return new Map(
    plan.map((p) => [p.memberId, AssignerProtocol.MemberAssignment.decode(p.memberAssignment)!.assignment]),
  );
}

describe('co-partitioned assigner', () => {
  it('gives partition N of every topic to one member', async () => {
    const plan = await assign([member('substream', 'a:1'), member('substream', 'b:1')]);
    for (const assignment of plan.values()) expect(assignment['changes']).toEqual(assignment['matches']);
    expect([...plan.values()].flatMap((a) => a['changes']).sort()).toEqual([0, 1, 2, 3]);
  });

  it('keeps each instance and stream thread on the same partitions whatever member ids the broker gives', async () => {
    const owners = async () => {
      const members = [
        member('substream-thread-1', 'b:1'),
        member('substream', 'b:1'),
        member('substream', 'a:1'),
        member('substream-thread-1', 'a:1'),
      ];
      const plan = await assign(members);
      const names = ['b thread 1', 'b thread 0', 'a thread 0', 'a thread 1'];
      return Object.fromEntries(members.map((m, i) => [names[i], plan.get(m.memberId)!['changes']]));
    };
    const first = await owners();
    for (let i = 0; i < 5; i++) expect(await owners()).toEqual(first);
    expect(first).toEqual({ 'a thread 0': [0], 'a thread 1': [1], 'b thread 0': [2], 'b thread 1': [3] });
  });
});
