import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../app/config/index.js';
import { ConfigError } from '../../state/index.js';

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives the embedded-mode defaults with an empty environment', () => {
    const c = loadConfig({ env: {} });
    expect(c.PORT).toBe(8080);
    expect(c.DATA_DIR).toBe('./data');
    expect(c.KAFKA_BROKERS).toBeUndefined();
    expect(c.PROCESSING_GUARANTEE).toBe('at_least_once');
  });

  it('parses lists and booleans from strings', () => {
    const c = loadConfig({
      env: {
        KAFKA_BROKERS: 'a:9092, b:9092',
        KAFKA_SSL: 'true',
        ENDPOINT_ALLOWLIST: '10.0.0.0/8,hooks.local',
      },
    });
    expect(c.KAFKA_BROKERS).toEqual(['a:9092', 'b:9092']);
    expect(c.KAFKA_SSL).toBe(true);
    expect(c.ENDPOINT_ALLOWLIST).toEqual(['10.0.0.0/8', 'hooks.local']);
  });

  it('reports every bad setting at once, by name', () => {
    const err = errorOf(() =>
      loadConfig({ env: { PORT: 'eighty', PROCESSING_GUARANTEE: 'maybe', RABBITMQ_URL: 'http://x' } }),
    );
    expect(err.issues.map((i) => i.setting).sort()).toEqual(['PORT', 'PROCESSING_GUARANTEE', 'RABBITMQ_URL']);
    expect(err.message).toContain('PORT');
  });

  it("sizes each store's LevelDB memory, refusing sizes below 64 KB by name", () => {
    expect(loadConfig({ env: {} })).toMatchObject({
      STORE_WRITE_BUFFER_BYTES: 1_048_576,
      STORE_BLOCK_CACHE_BYTES: 1_048_576,
      STORE_CACHE_MAX_BYTES: 268_435_456,
    });
    expect(errorOf(() => loadConfig({ env: { STORE_CACHE_MAX_BYTES: '-1' } })).issues[0]?.setting).toBe(
      'STORE_CACHE_MAX_BYTES',
    );
    expect(loadConfig({ env: { STORE_WRITE_BUFFER_BYTES: '4194304' } }).STORE_WRITE_BUFFER_BYTES).toBe(
      4_194_304,
    );
    const err = errorOf(() =>
      loadConfig({ env: { STORE_WRITE_BUFFER_BYTES: '1000', STORE_BLOCK_CACHE_BYTES: 'big' } }),
    );
    expect(err.issues.map((i) => i.setting).sort()).toEqual([
      'STORE_BLOCK_CACHE_BYTES',
      'STORE_WRITE_BUFFER_BYTES',
    ]);
  });

  it('checks settings that go together', () => {
    const err = errorOf(() =>
      loadConfig({
        env: { KAFKA_SASL_MECHANISM: 'plain', PROCESSING_GUARANTEE: 'exactly_once', PROCESSOR_THREADS: '2' },
      }),
    );
    expect(err.issues.map((i) => i.setting).sort()).toEqual([
      'KAFKA_SASL_PASSWORD',
      'KAFKA_SASL_USERNAME',
      'PROCESSING_GUARANTEE',
      'PROCESSOR_THREADS',
    ]);
  });

  it('takes the group session timeout and heartbeat together, heartbeats at most a third of it', () => {
    expect(
      loadConfig({ env: { KAFKA_SESSION_TIMEOUT_MS: '10000', KAFKA_HEARTBEAT_INTERVAL_MS: '1000' } }),
    ).toMatchObject({ KAFKA_SESSION_TIMEOUT_MS: 10_000, KAFKA_HEARTBEAT_INTERVAL_MS: 1_000 });
    const err = errorOf(() => loadConfig({ env: { KAFKA_SESSION_TIMEOUT_MS: '6000' } }));
    expect(err.issues).toEqual([
      {
        setting: 'KAFKA_HEARTBEAT_INTERVAL_MS',
        message: 'must be at most a third of KAFKA_SESSION_TIMEOUT_MS (6000 ms)',
      },
    ]);
  });

  it('reads a YAML file, lets the environment win, and refuses unknown keys in it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'substream-config-'));
    const file = join(dir, 'substream.yaml');
    await writeFile(file, 'PORT: 9000\nLOG_LEVEL: debug\n');
    expect(loadConfig({ env: { LOG_LEVEL: 'warn' }, file })).toMatchObject({ PORT: 9000, LOG_LEVEL: 'warn' });
    await writeFile(file, 'PROT: 9000\n');
    expect(errorOf(() => loadConfig({ env: {}, file })).issues).toEqual([
      { setting: 'PROT', message: `unknown setting in ${file}` },
    ]);
  });
});
