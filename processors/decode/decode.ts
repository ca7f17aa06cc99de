import { DecodeError, SubstreamError } from '../../state/index.js';
import { isCanonical, readCanonical } from './canonical.js';
import { ChangeDecodeError } from './errors.js';
import { isFirely, readFirely } from './firely.js';
import { parseJson } from './json.js';
import { parseCanonicalResourceKey, canonicalResourceKey } from './key.js';
import { isSmile, readSmile } from './smile.js';
import type {
  ChangelogFormat,
  ChangelogRecord,
  DecodedChange,
  DecodeOptions,
  HeaderValue,
  RawChange,
} from './types.js';
import { validateChange } from './validate.js';

const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;
const MAGIC_BYTE = 0;

function headerText(v: HeaderValue): string | undefined {
  const first = Array.isArray(v) ? v[0] : v;
  if (first === undefined) return undefined;
  return typeof first === 'string' ? first : first.toString('utf8');
}

function keyText(key: Buffer | string | null): string | undefined {
  if (key === null) return undefined;
  return typeof key === 'string' ? key : key.toString('utf8');
}

function detect(value: unknown): ChangelogFormat {
  if (isFirely(value)) return 'firely';
  if (isSmile(value)) return 'smile';
  if (isCanonical(value)) return 'canonical';
  throw new ChangeDecodeError(
    'unknown-format',
    'value is neither a ChangeEvent, a Firely ResourcesChanged(Light)Event nor a Smile ResourceModifiedMessage',
  );
}

function read(format: ChangelogFormat, value: unknown): RawChange[] {
  const ok = format === 'firely' ? isFirely(value) : format === 'smile' ? isSmile(value) : isCanonical(value);
  if (!ok)
    throw new ChangeDecodeError(
      'unknown-format',
      `value is not a ${format} change as the topic is configured`,
    );
  const obj = value as Record<string, unknown>;
  return format === 'firely' ? readFirely(obj) : format === 'smile' ? readSmile(obj) : readCanonical(obj);
}

async function unframe(bytes: Buffer, options: DecodeOptions): Promise<unknown> {
  if (!options.schemaRegistry) {
    throw new ChangeDecodeError(
      'schema-registry',
      'value is framed for a schema registry but none is configured',
    );
  }
  try {
    return await options.schemaRegistry.decode(bytes);
  } catch (cause) {
    // A registry that cannot be reached or refuses us is the runtime's to retry or fail on;
    // only a value the registry cannot decode is dead-lettered.
    if (cause instanceof SubstreamError && !(cause instanceof DecodeError)) throw cause;
    throw new ChangeDecodeError(
      'schema-registry',
      `schema registry could not decode the value: ${(cause as Error).message}`,
      {
        cause,
        context: { schemaId: bytes.length >= 5 ? bytes.readUInt32BE(1) : undefined },
      },
    );
  }
}

/**
 * Decodes one changelog record into canonical changes (a Firely batch gives several), each with
 * its canonical key and whether it must be repartitioned. A record that cannot be decoded throws
 * ChangeDecodeError; the whole record is then dead-lettered, so a batch is never half-applied.
 * A null value under a canonical key is a Kafka tombstone: a delete without body.
 */
export async function decodeChangeRecord(
  record: ChangelogRecord,
  options: DecodeOptions = {},
): Promise<DecodedChange[]> {
  const key = keyText(record.key);
  const parsedKey = key !== undefined ? parseCanonicalResourceKey(key) : undefined;
  const headerTenant = headerText(record.headers?.[options.tenantHeader ?? 'tenant']);
  const value = record.value;
  if (value === null || value.length === 0) {
    if (parsedKey && value === null) {
      const tenant = parsedKey.tenant ?? headerTenant;
      const change = {
        interaction: 'delete' as const,
        resourceType: parsedKey.resourceType,
        id: parsedKey.id,
        ...(tenant ? { tenant } : {}),
      };
      const canonical = canonicalResourceKey(change.resourceType, change.id, tenant);
      return [
        { key: canonical, change, repartition: canonical !== key, format: 'canonical', bodyless: false },
      ];
    }
    throw new ChangeDecodeError('empty-value', 'record has no value');
  }
  const size = typeof value === 'string' ? Buffer.byteLength(value) : value.length;
  const max = options.maxValueBytes ?? DEFAULT_MAX_BYTES;
  if (size > max)
    throw new ChangeDecodeError('too-large', `value is ${size} bytes, more than the ${max} allowed`);

  const topicFormat = options.topicFormats?.[record.topic] ?? options.defaultFormat ?? 'auto';
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  const framed = topicFormat === 'schema-registry' || (topicFormat === 'auto' && bytes[0] === MAGIC_BYTE);
  let decoded: unknown;
  if (framed) {
    if (bytes[0] !== MAGIC_BYTE || bytes.length < 5) {
      throw new ChangeDecodeError(
        'schema-registry',
        'value is not framed for a schema registry (magic byte 0, schema id)',
      );
    }
    decoded = await unframe(bytes, options);
  } else {
    decoded = parseJson(bytes.toString('utf8'), 'value');
  }
  const format = topicFormat === 'auto' || topicFormat === 'schema-registry' ? detect(decoded) : topicFormat;
  const raws = read(format, decoded);
  const fallbackTenant = headerTenant ?? parsedKey?.tenant;
  const ctx = {
    // A tenant named by neither the value nor a header may come with a tenant-qualified key.
    ...(fallbackTenant !== undefined ? { headerTenant: fallbackTenant } : {}),
    allowBodyless: format !== 'canonical',
  };
  const out = raws.map((raw): DecodedChange => {
    const { change, bodyless } = validateChange(raw, ctx);
    const canonical = canonicalResourceKey(change.resourceType, change.id, change.tenant);
    return { key: canonical, change, repartition: canonical !== key, format, bodyless };
  });
  if (parsedKey && out.length === 1) {
    const { change } = out[0]!;
    const sameResource = parsedKey.resourceType === change.resourceType && parsedKey.id === change.id;
    const tenantConflict = parsedKey.tenant !== undefined && parsedKey.tenant !== change.tenant;
    if (!sameResource || tenantConflict) {
      throw new ChangeDecodeError(
        'key-mismatch',
        `record key '${key}' does not name the changed resource ${out[0]!.key}`,
      );
    }
  }
  return out;
}
