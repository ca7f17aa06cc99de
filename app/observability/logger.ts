import { pino, type Logger } from 'pino';

/**
 * Structured JSON logs. Secrets never reach them: endpoint headers, credentials and tokens are
 * redacted wherever they appear in a logged object.
 */
export const REDACTED_PATHS = [
  'headers',
  '*.headers',
  'channel.headers',
  '*.channel.headers',
  'authorization',
  '*.authorization',
  'password',
  '*.password',
  'KAFKA_SASL_PASSWORD',
  'SCHEMA_REGISTRY_PASSWORD',
  'ADMIN_TOKEN',
  '*.KAFKA_SASL_PASSWORD',
  '*.SCHEMA_REGISTRY_PASSWORD',
  '*.ADMIN_TOKEN',
  'secret',
  '*.secret',
  'signingSecret',
  '*.signingSecret',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'substream' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination as pino.DestinationStream | undefined,
  );
}

/** Credentials in a URL (amqp://user:pass@host) replaced before the URL is logged or labelled. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):([^@/]+)@/, '//$1:[redacted]@');
}
