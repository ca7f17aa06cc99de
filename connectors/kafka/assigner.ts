// Before kafkajs: it runs with the native CRC-32C and the codec replacements (docs/kafka-codec.md).
import './native-crc.js';
import type { PartitionAssigner } from 'kafkajs';
import { AssignerProtocol } from 'kafkajs';

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
      const sorted = members.map((m) => m.memberId).sort();
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
