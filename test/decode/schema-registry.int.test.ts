import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHANGE_EVENT_AVRO_SCHEMA,
  CHANGE_EVENT_JSON_SCHEMA,
  createSchemaRegistryCodec,
  type SchemaRegistryCodec,
} from '../../connectors/index.js';
import { ChangeDecodeError, decodeChangeRecord } from '../../processors/index.js';
import { ConfigError, TransportError } from '../../state/index.js';
import { startSchemaRegistryServer, type SchemaRegistryServer } from '../support/schema-registry-server.js';

const resource = {
  resourceType: 'Observation',
  id: 'obs-1',
  meta: { versionId: '2', lastUpdated: '2026-01-01T10:00:00Z' },
  status: 'final',
};

describe('schema-registry framed changelog values', () => {
  let server: SchemaRegistryServer;
  let codec: SchemaRegistryCodec;

  beforeAll(async () => {
    server = await startSchemaRegistryServer({ username: 'key', password: 'secret' });
    codec = createSchemaRegistryCodec({ url: server.url, username: 'key', password: 'secret' });
  });
  afterAll(async () => server.close());

  const record = (value: Buffer, key: string | null = 'Observation/obs-1') => ({
    topic: 'fhir.changelog',
    key,
    value,
  });

  it('decodes an Avro ChangeEvent (resource as JSON text) into the canonical change', async () => {
    const id = await codec.register(
      { type: 'AVRO', schema: CHANGE_EVENT_AVRO_SCHEMA },
      'fhir.changelog-value',
    );
    const value = await codec.encode(id, {
      interaction: 'update',
      resourceType: 'Observation',
      id: 'obs-1',
      versionId: '2',
      occurredAt: null,
      tenant: null,
      resource: JSON.stringify(resource),
      previous: null,
    });
    expect(value[0]).toBe(0);
    const [d] = await decodeChangeRecord(record(value), { schemaRegistry: codec });
    expect(d).toMatchObject({ key: 'Observation/obs-1', repartition: false, format: 'canonical' });
    expect(d!.change).toEqual({
      interaction: 'update',
      resourceType: 'Observation',
      id: 'obs-1',
      versionId: '2',
      occurredAt: '2026-01-01T10:00:00Z',
      resource,
    });
    // The schema was fetched once; the client caches it by id.
    await decodeChangeRecord(record(value), { schemaRegistry: codec });
    expect(server.lookups()).toBeLessThanOrEqual(1);
  });

  it('decodes a JSON Schema framed ChangeEvent, on a topic fixed to schema-registry', async () => {
    const id = await codec.register(
      { type: 'JSON', schema: CHANGE_EVENT_JSON_SCHEMA },
      'fhir.changelog.json-value',
    );
    const value = await codec.encode(id, {
      interaction: 'create',
      resourceType: 'Observation',
      id: 'obs-1',
      resource,
    });
    const [d] = await decodeChangeRecord(record(value, null), {
      schemaRegistry: codec,
      topicFormats: { 'fhir.changelog': 'schema-registry' },
    });
    expect(d).toMatchObject({ key: 'Observation/obs-1', repartition: true });
    expect(d!.change.resource).toEqual(resource);
  });

  it('dead-letters a value framed with an unknown schema id', async () => {
    const value = Buffer.from([0, 0, 0, 0x30, 0x39, 1, 2, 3]);
    const err = await decodeChangeRecord(record(value), { schemaRegistry: codec }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChangeDecodeError);
    expect(err).toMatchObject({ reason: 'schema-registry', context: { schemaId: 12345 } });
  });

  it('leaves an unreachable registry to the runtime as a retriable error', async () => {
    const down = await startSchemaRegistryServer();
    const url = down.url;
    await down.close();
    const lost = createSchemaRegistryCodec({ url, retries: 0 });
    const err = await decodeChangeRecord(record(Buffer.from([0, 0, 0, 0, 7, 1])), {
      schemaRegistry: lost,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).retriable).toBe(true);
  });

  it('reports refused credentials as a non-retriable transport error, not a bad record', async () => {
    const wrong = createSchemaRegistryCodec({ url: server.url, username: 'key', password: 'nope' });
    const err = await decodeChangeRecord(record(Buffer.from([0, 0, 0, 0, 1, 1])), {
      schemaRegistry: wrong,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).retriable).toBe(false);
  });

  it('refuses bad settings up front, naming each one', () => {
    expect(() => createSchemaRegistryCodec({ url: 'not a url', username: 'only-user' })).toThrow(ConfigError);
    expect(() => createSchemaRegistryCodec({ url: 'http://r:8081', username: 'only-user' })).toThrow(
      /schemaRegistry.password/,
    );
  });
});
