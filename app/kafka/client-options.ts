import { readFileSync } from 'node:fs';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import type { Logger } from 'pino';
import { ConfigError } from '../../state/index.js';
import type { Config } from '../config/index.js';
import { kafkaLogCreator, kafkaLogLevel } from './log-creator.js';

export interface KafkaTls {
  ca?: string[];
  cert?: string;
  key?: string;
  rejectUnauthorized?: boolean;
}

/** TLS for Kafka clients: false, or the options with the PEM files read (a missing file names its setting). */
export function kafkaTls(config: Config): false | KafkaTls {
  if (!config.KAFKA_SSL) return false;
  const read = (setting: 'KAFKA_SSL_CA' | 'KAFKA_SSL_CERT' | 'KAFKA_SSL_KEY'): string | undefined => {
    const path = config[setting];
    if (!path) return undefined;
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      throw new ConfigError([{ setting, message: `cannot read ${path}: ${(err as Error).message}` }]);
    }
  };
  const ca = read('KAFKA_SSL_CA');
  const cert = read('KAFKA_SSL_CERT');
  const key = read('KAFKA_SSL_KEY');
  return {
    rejectUnauthorized: config.KAFKA_SSL_REJECT_UNAUTHORIZED,
    ...(ca ? { ca: [ca] } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
  };
}

/** kafkajs logging through the service's pino logger, at LOG_LEVEL, with the SASL password scrubbed. */
export function kafkaLogging(config: Config, logger: Logger): Pick<KafkaConfig, 'logCreator' | 'logLevel'> {
  return {
    logLevel: kafkaLogLevel(config.LOG_LEVEL),
    logCreator: kafkaLogCreator(logger, [config.KAFKA_SASL_PASSWORD]),
  };
}

/** kafkajs client options from the service configuration (brokers, SASL, TLS; logging with a logger). */
export function kafkaClientOptions(config: Config, logger?: Logger): KafkaConfig {
  if (!config.KAFKA_BROKERS || config.KAFKA_BROKERS.length === 0) {
    throw new ConfigError([{ setting: 'KAFKA_BROKERS', message: 'required in Kafka mode' }]);
  }
  const ssl = kafkaTls(config);
  const sasl: SASLOptions | undefined = config.KAFKA_SASL_MECHANISM
    ? ({
        mechanism: config.KAFKA_SASL_MECHANISM,
        username: config.KAFKA_SASL_USERNAME ?? '',
        password: config.KAFKA_SASL_PASSWORD ?? '',
      } as SASLOptions)
    : undefined;
  return {
    clientId: config.KAFKA_CLIENT_ID,
    brokers: config.KAFKA_BROKERS,
    ssl,
    ...(sasl ? { sasl } : {}),
    ...(logger ? kafkaLogging(config, logger) : {}),
  };
}
