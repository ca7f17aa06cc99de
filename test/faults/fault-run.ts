/**
 * What every fault scenario shares: topics and an application id of the run's own (so runs never
 * share state with each other or other tests, and are deleted afterwards), the load settings, and
 * the accounting line each scenario prints.
 */
import { Kafka, logLevel } from 'kafkajs';
import { uniqueTopics } from '../support/service.js';
import { formatCounts, type Counts } from '../../bench/harness/index.js';
import type { LoadRunOptions } from '../../bench/load/run-load.js';
import type { RunningService } from './service-under-test.js';

export const SHARED_BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

export type TopicEnv = Record<
  | 'APPLICATION_ID'
  | 'TOPIC_CHANGELOG'
  | 'TOPIC_CHANGELOG_DLQ'
  | 'TOPIC_SUBSCRIPTIONS'
  | 'TOPIC_SUBSCRIPTION_TOPICS'
  | 'TOPIC_NOTIFICATIONS_REST_HOOK'
  | 'TOPIC_NOTIFICATIONS_MESSAGE'
  | 'TOPIC_NOTIFICATIONS_KAFKA'
  | 'TOPIC_DELIVERY_OUTCOMES'
  | 'TOPIC_DELIVERY_DLQ',
  string
>;

export function topicEnv(prefix: string): TopicEnv {
  return { APPLICATION_ID: prefix, ...uniqueTopics(prefix) };
}

/** The load of a fault run: modest, so the fault and not the machine decides the outcome. */
export function loadOptions(
  service: RunningService,
  brokers: string[],
  changelogTopic: string,
  name: string,
): LoadRunOptions {
  return {
    name,
    rate: 500,
    durationSeconds: 30,
    subscriptions: 200,
    transport: 'kafka',
    brokers,
    changelogTopic,
    serviceUrl: service.url,
    receiverPort: 0,
    receiverHost: '127.0.0.1',
    pids: [service.pid],
    seed: 1,
    batchSize: 50,
    drainSeconds: 180,
    waitReadySeconds: 60,
    cleanup: false,
    resultsDir: 'bench/results',
    notes: ['fault run; the machine is shared with other developers (2 cores)'],
  };
}

/** Prints the scenario's accounting line (expected, delivered, missing, duplicate...). */
export function report(scenario: string, counts: Counts, extra = ''): void {
  console.log(`\n${formatCounts(scenario, counts)}${extra ? `; ${extra}` : ''}\n`);
}

/** Deletes every topic of the run and its consumer group. */
export async function deleteRunTopics(brokers: string[], prefix: string): Promise<void> {
  const admin = new Kafka({ clientId: prefix, brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics });
    await admin.deleteGroups([prefix]).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}

/** Messages in a topic (high minus low watermark over its partitions). */
export async function topicSize(brokers: string[], topic: string): Promise<number> {
  const admin = new Kafka({ clientId: 'substream-faults', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
  } finally {
    await admin.disconnect();
  }
}
