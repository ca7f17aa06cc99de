// Before kafkajs: it runs with the native CRC-32C and the codec replacements (docs/kafka-codec.md).
import '../../connectors/index.js';
import { logLevel, type logCreator, type LogEntry } from 'kafkajs';
import type { Logger } from 'pino';

/** The kafkajs level that lets through what the pino level would print (kafkajs has no trace). */
export function kafkaLogLevel(pinoLevel: string): logLevel {
  switch (pinoLevel) {
    case 'trace':
    case 'debug':
      return logLevel.DEBUG;
    case 'info':
      return logLevel.INFO;
    case 'warn':
      return logLevel.WARN;
    case 'error':
    case 'fatal':
      return logLevel.ERROR;
    default:
      return logLevel.NOTHING;
  }
}

// Fields that may carry credentials in a kafkajs log entry (SASL, TLS, OAuth providers).
const SECRET_FIELDS =
  /^(password|sasl|ssl|authorization|token|accesstoken|oauthbearerprovider|key|cert|ca)$/i;

function redact(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === 'string') {
    return secrets.reduce((text, secret) => text.split(secret).join('[redacted]'), value);
  }
  if (value === null || typeof value !== 'object' || depth > 4) return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, secrets, depth + 1));
  if (value instanceof Error) return redact({ name: value.name, message: value.message }, secrets, depth + 1);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_FIELDS.test(k) ? '[redacted]' : redact(v, secrets, depth + 1);
  }
  return out;
}

/**
 * kafkajs logs every error answer of the broker at ERROR, routine ones included (a heartbeat told
 * the group is rebalancing, a coordinator still loading): the client retries those itself, and
 * the runtime reports what it cannot ride out, so they are warnings.
 */
const ROUTINE_ANSWERS =
  /rebalanc|coordinator is (loading|not available)|not the (correct )?coordinator|leader(ship)? (election|not available)|concurrent operation/i;

function routine(namespace: string, message: string, error: unknown, level: logLevel): logLevel {
  if (level !== logLevel.ERROR || namespace !== 'Connection' || !message.startsWith('Response '))
    return level;
  return typeof error === 'string' && ROUTINE_ANSWERS.test(error) ? logLevel.WARN : level;
}

/**
 * kafkajs logs through pino (child logger `component: kafka`) instead of its console logger:
 * ERROR, WARN, INFO and DEBUG map to the same pino levels; the pino logger's level decides what is
 * written. Credential fields are replaced, and the given secret values (the SASL password) are
 * scrubbed from every string, messages included.
 */
export function kafkaLogCreator(logger: Logger, secrets: readonly (string | undefined)[] = []): logCreator {
  const kafka = logger.child({ component: 'kafka' });
  const known = secrets.filter((s): s is string => typeof s === 'string' && s.length >= 4);
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, timestamp: _timestamp, ...extra } = log;
      const details = redact({ namespace, ...extra }, known) as Record<string, unknown>;
      const text = redact(message, known) as string;
      switch (routine(namespace, text, extra['error'], level)) {
        case logLevel.ERROR:
          kafka.error(details, text);
          break;
        case logLevel.WARN:
          kafka.warn(details, text);
          break;
        case logLevel.INFO:
          kafka.info(details, text);
          break;
        default:
          kafka.debug(details, text);
      }
    };
}
