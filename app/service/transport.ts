import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Transport } from '../../state/index.js';
import { KafkaTransport } from '../../connectors/index.js';
import { EmbeddedTransport } from '../../topology/index.js';
import type { Config } from '../config/index.js';
import { kafkaLogging, kafkaTls } from '../kafka/index.js';

export function saslOf(config: Config): {
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
} {
  if (!config.KAFKA_SASL_MECHANISM) return {};
  return {
    sasl: {
      mechanism: config.KAFKA_SASL_MECHANISM,
      username: config.KAFKA_SASL_USERNAME ?? '',
      password: config.KAFKA_SASL_PASSWORD ?? '',
    },
  };
}

/** The embedded log in DATA_DIR without KAFKA_BROKERS, a Kafka client with it. */
export async function openTransport(config: Config, logger: Logger): Promise<Transport> {
  if (!config.KAFKA_BROKERS) {
    return EmbeddedTransport.open(join(config.DATA_DIR, 'log'), {
      cleaner: { retentionMs: config.EMBEDDED_LOG_RETENTION_HOURS * 3600_000 },
      onCleanerError: (error) => logger.warn({ err: error }, 'embedded log cleaner pass failed'),
    });
  }
  return new KafkaTransport(
    {
      brokers: config.KAFKA_BROKERS,
      clientId: config.KAFKA_CLIENT_ID,
      fetchMinBytes: config.KAFKA_FETCH_MIN_BYTES,
      fetchMaxWaitMs: config.KAFKA_FETCH_MAX_WAIT_MS,
      fetchIdleWaitMs: config.KAFKA_FETCH_IDLE_WAIT_MS,
      fetchAhead: config.KAFKA_FETCH_AHEAD,
      sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
      heartbeatIntervalMs: config.KAFKA_HEARTBEAT_INTERVAL_MS,
      ssl: kafkaTls(config),
      ...saslOf(config),
    },
    kafkaLogging(config, logger),
  );
}
