// Before kafkajs: it runs with the native CRC-32C and the codec replacements (docs/kafka-codec.md).
import './native-crc.js';
import type { PartitionAssigner } from 'kafkajs';
import { AssignerProtocol } from 'kafkajs';

/** The broker names a member `<client id>-<uuid>`: the uuid is new at every join. */
const JOIN_UUID = /-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Where a member stands in the assignment: its endpoint, then its client id (a stream thread's
 * names the thread), then its member id. Members keep their place across restarts as long as the
 * group has the same members, so an instance (and each of its threads) gets back the partitions
 * whose state it holds locally, instead of a shuffle decided by fresh member ids.
 */
function standing(member: { memberId: string; memberMetadata: Buffer }): string {
  const endpoint =
    AssignerProtocol.MemberMetadata.decode(member.memberMetadata)?.userData.toString('utf8') ?? '';
  return `${endpoint}\u0000${member.memberId.replace(JOIN_UUID, '')}\u0000${member.memberId}`;
}

/**
 * Gives partition N of every subscribed topic to the same member, so co-partitioned sources meet
 * in one task, and publishes each member's endpoint in its metadata (instance metadata).
 */
export function coPartitionedAssigner(endpoint: string | undefined): PartitionAssigner {
  return ({ cluster }) => ({
    name: 'SubstreamCoPartitioned',
    version: 1,
    protocol: ({ topics }) => ({
      name: 'SubstreamCoPartitioned',
      metadata: AssignerProtocol.MemberMetadata.encode({
        version: 1,
        topics,
        userData: Buffer.from(endpoint ?? ''),
      }),
    }),
    async assign({ members, topics }) {
      const sorted = members
        .map((m) => ({ memberId: m.memberId, key: standing(m) }))
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
        .map((m) => m.memberId);
      const plan = new Map<string, Record<string, number[]>>(sorted.map((id) => [id, {}]));
      for (const topic of topics) {
        for (const { partitionId } of cluster.findTopicPartitionMetadata(topic)) {
          const owner = plan.get(sorted[partitionId % sorted.length]!)!;
          (owner[topic] ??= []).push(partitionId);
        }
      }
      return sorted.map((memberId) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 1,
          assignment: plan.get(memberId)!,
          userData: Buffer.alloc(0),
        }),
      }));
    },
  });
}
