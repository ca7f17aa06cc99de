import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../app/config/index.js';
import { kafkaTls } from '../../app/kafka/index.js';

describe('Kafka TLS settings', () => {
  it('are off unless KAFKA_SSL is set', () => {
    expect(kafkaTls(loadConfig({ env: {} }))).toBe(false);
  });

  it('read the CA, certificate and key files into the client options', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'substream-tls-'));
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) await writeFile(join(dir, f), `-----${f}-----`);
    const config = loadConfig({
      env: {
        KAFKA_SSL: 'true',
        KAFKA_SSL_CA: join(dir, 'ca.pem'),
        KAFKA_SSL_CERT: join(dir, 'cert.pem'),
        KAFKA_SSL_KEY: join(dir, 'key.pem'),
        KAFKA_SSL_REJECT_UNAUTHORIZED: 'false',
      },
    });
    expect(kafkaTls(config)).toEqual({
      ca: ['-----ca.pem-----'],
      cert: '-----cert.pem-----',
      key: '-----key.pem-----',
      rejectUnauthorized: false,
    });
  });

  it('name the setting whose file cannot be read', () => {
    const config = loadConfig({ env: { KAFKA_SSL: 'true', KAFKA_SSL_CA: '/nonexistent/ca.pem' } });
    expect(() => kafkaTls(config)).toThrowError(/KAFKA_SSL_CA: cannot read \/nonexistent\/ca.pem/);
  });
});
