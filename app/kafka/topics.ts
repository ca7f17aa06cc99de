import type { ITopicConfig } from 'kafkajs';
import type { Config } from '../config/index.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Every topic the service reads or writes, with partitions, compaction and retention. */
export function topicPlan(config: Config): ITopicConfig[] {
  const partitions = config.PARTITIONS;
  const replicationFactor = config.REPLICATION_FACTOR;
  const stream = (topic: string, retentionMs: number): ITopicConfig => ({
    topic,
    numPartitions: partitions,
    replicationFactor,
    configEntries: [
      { name: 'cleanup.policy', value: 'delete' },
      { name: 'retention.ms', value: String(retentionMs) },
    ],
  });
  const table = (topic: string): ITopicConfig => ({
    topic,
    numPartitions: partitions,
    replicationFactor,
    configEntries: [
      { name: 'cleanup.policy', value: 'compact' },
      { name: 'min.compaction.lag.ms', value: '0' },
    ],
  });
  return [
    stream(config.TOPIC_CHANGELOG, 7 * DAY_MS),
    stream(config.TOPIC_CHANGELOG_DLQ, 30 * DAY_MS),
    table(config.TOPIC_SUBSCRIPTIONS),
    table(config.TOPIC_SUBSCRIPTION_TOPICS),
    stream(config.TOPIC_NOTIFICATIONS_REST_HOOK, 7 * DAY_MS),
    stream(config.TOPIC_NOTIFICATIONS_MESSAGE, 7 * DAY_MS),
    stream(config.TOPIC_NOTIFICATIONS_KAFKA, 7 * DAY_MS),
    stream(config.TOPIC_DELIVERY_OUTCOMES, 7 * DAY_MS),
    stream(config.TOPIC_DELIVERY_DLQ, 30 * DAY_MS),
  ];
}
