import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../../state/index.js';
import { CONFIG_KEYS, configSchema, type Config } from './schema.js';

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Path of a JSON or YAML file with the same keys; the environment wins over it. */
  file?: string;
}

/** Reads CONFIG_FILE (if any) and the environment, validates once, and reports every error together. */
export function loadConfig({ env = process.env, file = env.CONFIG_FILE }: LoadConfigOptions = {}): Config {
  const issues: { setting: string; message: string }[] = [];
  let fromFile: Record<string, unknown> = {};
  if (file) {
    try {
      const parsed: unknown = parseYaml(readFileSync(file, 'utf8'));
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
        fromFile = parsed as Record<string, unknown>;
      } else if (parsed !== null && parsed !== undefined) {
        issues.push({ setting: 'CONFIG_FILE', message: `${file} must hold a mapping of settings` });
      }
    } catch (err) {
      issues.push({ setting: 'CONFIG_FILE', message: `cannot read ${file}: ${(err as Error).message}` });
    }
    for (const key of Object.keys(fromFile)) {
      if (!(CONFIG_KEYS as string[]).includes(key)) {
        issues.push({ setting: key, message: `unknown setting in ${file}` });
      }
    }
  }
  const input: Record<string, unknown> = { ...fromFile };
  for (const key of CONFIG_KEYS) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const result = configSchema.safeParse(input);
  if (!result.success) {
    for (const issue of result.error.issues) {
      issues.push({ setting: String(issue.path[0] ?? '(root)'), message: issue.message });
    }
  } else {
    issues.push(...crossChecks(result.data));
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return result.data as Config;
}

/** Rules between settings that a single field's schema cannot state. */
function crossChecks(c: Config): { setting: string; message: string }[] {
  const out: { setting: string; message: string }[] = [];
  if (c.KAFKA_SASL_MECHANISM && (!c.KAFKA_SASL_USERNAME || !c.KAFKA_SASL_PASSWORD)) {
    if (!c.KAFKA_SASL_USERNAME)
      out.push({ setting: 'KAFKA_SASL_USERNAME', message: 'required with KAFKA_SASL_MECHANISM' });
    if (!c.KAFKA_SASL_PASSWORD)
      out.push({ setting: 'KAFKA_SASL_PASSWORD', message: 'required with KAFKA_SASL_MECHANISM' });
  }
  if ((c.KAFKA_SSL_CERT === undefined) !== (c.KAFKA_SSL_KEY === undefined)) {
    out.push({
      setting: c.KAFKA_SSL_CERT ? 'KAFKA_SSL_KEY' : 'KAFKA_SSL_CERT',
      message: 'client certificate and key go together',
    });
  }
  if ((c.KAFKA_SSL_CA || c.KAFKA_SSL_CERT) && !c.KAFKA_SSL) {
    out.push({ setting: 'KAFKA_SSL', message: 'must be true when KAFKA_SSL_CA or KAFKA_SSL_CERT is set' });
  }
  if (c.PROCESSING_GUARANTEE === 'exactly_once' && !c.KAFKA_BROKERS) {
    out.push({ setting: 'PROCESSING_GUARANTEE', message: 'exactly_once needs Kafka (KAFKA_BROKERS)' });
  }
  if (c.PROCESSOR_THREADS > 1 && !c.KAFKA_BROKERS) {
    out.push({
      setting: 'PROCESSOR_THREADS',
      message: 'more than one stream thread needs Kafka (KAFKA_BROKERS); the embedded log has one reader',
    });
  }
  if (c.KAFKA_HEARTBEAT_INTERVAL_MS * 3 > c.KAFKA_SESSION_TIMEOUT_MS) {
    // A member whose heartbeats are that sparse is taken for dead between two of them.
    out.push({
      setting: 'KAFKA_HEARTBEAT_INTERVAL_MS',
      message: `must be at most a third of KAFKA_SESSION_TIMEOUT_MS (${c.KAFKA_SESSION_TIMEOUT_MS} ms)`,
    });
  }
  if (c.CHANGELOG_FORMAT === 'schema-registry' && !c.SCHEMA_REGISTRY_URL) {
    out.push({
      setting: 'SCHEMA_REGISTRY_URL',
      message: 'required when CHANGELOG_FORMAT is schema-registry',
    });
  }
  if (c.SCHEMA_REGISTRY_USERNAME && !c.SCHEMA_REGISTRY_PASSWORD) {
    out.push({ setting: 'SCHEMA_REGISTRY_PASSWORD', message: 'required with SCHEMA_REGISTRY_USERNAME' });
  }
  return out;
}
