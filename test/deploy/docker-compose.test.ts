import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS } from '../../app/config/index.js';
import { RUN_MODES } from '../../app/commands/run.js';

interface Service {
  command?: string[];
  environment?: Record<string, string | number>;
  image?: string;
  build?: string;
}

const compose = parse(readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8'), {
  merge: true,
}) as { services: Record<string, Service> };
const ours = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);

describe('docker-compose.yml', () => {
  it('runs Kafka in KRaft mode from the official image, a schema registry, RabbitMQ and Prometheus', () => {
    expect(compose.services.kafka?.image).toMatch(/^apache\/kafka:/);
    expect(compose.services.kafka?.environment?.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(compose.services['schema-registry']?.image).toBeDefined();
    expect(compose.services.rabbitmq?.image).toMatch(/management/);
    expect(compose.services.prometheus?.image).toBeDefined();
  });

  it('sets only environment variables the configuration schema knows', () => {
    for (const [name, service] of ours) {
      for (const key of Object.keys(service.environment ?? {})) {
        expect(CONFIG_KEYS as string[], `${name} sets ${key}`).toContain(key);
      }
    }
  });

  it('runs two processor instances and every sink with real run modes', () => {
    const modes = ours.map(([, s]) => s.command ?? []);
    expect(modes.filter((c) => c[0] === 'run' && c[1] === 'processor')).toHaveLength(2);
    for (const sink of ['http-sink', 'amqp-sink', 'kafka-sink']) {
      expect(modes.some((c) => c[0] === 'run' && c[1] === sink)).toBe(true);
    }
    for (const c of modes.filter((m) => m[0] === 'run'))
      expect(RUN_MODES as readonly string[]).toContain(c[1]);
  });
});
