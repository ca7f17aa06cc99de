import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { DecodeError, TransportError } from '../../state/index.js';
import { parseSchemaRegistryConfig, type SchemaRegistryConfig } from './config.js';

export type RegistrySchemaType = 'AVRO' | 'JSON';

// The registry's HTTP client reports a network failure as a 400 carrying the socket error.
const NETWORK = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN|socket hang up|timeout/i;

function statusOf(e: unknown): number | undefined {
  const s = (e as { status?: unknown } | null)?.status;
  return typeof s === 'number' ? s : undefined;
}

/**
 * Sorts a registry failure: unreachable or 5xx → retriable TransportError; refused credentials
 * → non-retriable TransportError (configuration); unknown schema or undecodable bytes →
 * DecodeError, which sends the record to the dead-letter topic.
 */
function classify(e: unknown, action: string): Error {
  const status = statusOf(e);
  const message = `schema registry ${action}: ${(e as Error).message}`;
  if (status === 401 || status === 403)
    return new TransportError(message, { retriable: false, cause: e, context: { status } });
  if (
    status !== undefined &&
    (status >= 500 || status === 408 || status === 429 || NETWORK.test((e as Error).message))
  ) {
    return new TransportError(message, { retriable: true, cause: e, context: { status } });
  }
  return new DecodeError(message, { cause: e, ...(status !== undefined ? { context: { status } } : {}) });
}

/**
 * Avro and JSON Schema values framed for a Confluent-compatible schema registry (magic byte 0,
 * 4-byte schema id). Schemas are fetched once per id and cached by the client.
 */
export class SchemaRegistryCodec {
  private readonly registry: SchemaRegistry;

  constructor(readonly config: SchemaRegistryConfig) {
    this.registry = new SchemaRegistry({
      host: config.url,
      clientId: config.clientId,
      retry: { retries: config.retries, initialRetryTimeInSecs: 0.05, maxRetryTimeInSecs: 1 },
      ...(config.username !== undefined && config.password !== undefined
        ? { auth: { username: config.username, password: config.password } }
        : {}),
    });
  }

  async decode(value: Buffer): Promise<unknown> {
    try {
      return (await this.registry.decode(value)) as unknown;
    } catch (e) {
      throw classify(e, 'decode');
    }
  }

  async encode(schemaId: number, value: unknown): Promise<Buffer> {
    try {
      return await this.registry.encode(schemaId, value);
    } catch (e) {
      throw classify(e, 'encode');
    }
  }

  /** Registers a schema under a subject (e.g. `fhir.changelog-value`); returns its id. */
  async register(schema: { type: RegistrySchemaType; schema: string }, subject: string): Promise<number> {
    try {
      const type = schema.type === 'AVRO' ? SchemaType.AVRO : SchemaType.JSON;
      const { id } = await this.registry.register({ type, schema: schema.schema }, { subject });
      return id;
    } catch (e) {
      throw classify(e, 'register');
    }
  }
}

/** Builds the codec from raw settings, refusing bad ones up front with a ConfigError. */
export function createSchemaRegistryCodec(settings: unknown): SchemaRegistryCodec {
  return new SchemaRegistryCodec(parseSchemaRegistryConfig(settings));
}
