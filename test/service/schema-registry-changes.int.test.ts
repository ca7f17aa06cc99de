/**
 * With SCHEMA_REGISTRY_URL set, Avro ChangeEvents framed for a Confluent-compatible registry and
 * produced straight to the changelog topic are decoded and delivered like JSON ones.
 */
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { CHANGE_EVENT_AVRO_SCHEMA, createSchemaRegistryCodec } from '../../connectors/index.js';
import { HttpReceiver } from '../fakes/http-receiver.js';
import { KAFKA_BROKERS, waitFor } from '../support/infra.js';
import { startSchemaRegistryServer, type SchemaRegistryServer } from '../support/schema-registry-server.js';
import { call, ServiceFixture } from '../support/service.js';
import { classicR4, glucose } from './scenario.js';

const fixture = new ServiceFixture({ kafka: true });
const receiver = new HttpReceiver();
const producer = new Kafka({
  clientId: 'substream-test-avro',
  brokers: KAFKA_BROKERS,
  logLevel: logLevel.NOTHING,
}).producer();
let registry: SchemaRegistryServer | undefined;

afterAll(async () => {
  await producer.disconnect();
  await fixture.cleanup();
  await Promise.all([receiver.stop(), registry?.close()]);
});

describe('schema-registry framed changes', () => {
  it('are decoded through the configured registry and delivered', async () => {
    registry = await startSchemaRegistryServer();
    const hook = await receiver.start();
    const config = await fixture.config({ SCHEMA_REGISTRY_URL: registry.url });
    const service = await fixture.start('all', config);
    expect(
      (await call(service.url, 'PUT', '/fhir/Subscription/glucose', classicR4(`${hook}/r4`))).status,
    ).toBe(201);

    const codec = createSchemaRegistryCodec({ url: registry.url });
    const id = await codec.register(
      { type: 'AVRO', schema: CHANGE_EVENT_AVRO_SCHEMA },
      `${config.TOPIC_CHANGELOG}-value`,
    );
    const change = glucose('avro-1');
    const value = await codec.encode(id, {
      interaction: 'update',
      resourceType: 'Observation',
      id: 'avro-1',
      versionId: null,
      occurredAt: null,
      tenant: null,
      resource: JSON.stringify(change.resource),
      previous: null,
    });
    await producer.connect();
    await producer.send({ topic: config.TOPIC_CHANGELOG, messages: [{ key: 'Observation/avro-1', value }] });

    const delivered = await waitFor(() => receiver.accepted.find((r) => r.url === '/r4/Observation/avro-1'), {
      timeoutMs: 15_000,
      what: 'the Avro change delivered',
    });
    expect(JSON.parse(delivered.body)).toMatchObject({ resourceType: 'Observation', id: 'avro-1' });
  });
});
