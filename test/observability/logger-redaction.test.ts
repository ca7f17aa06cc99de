import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactUrl } from '../../app/observability/index.js';

function capture(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { stream, lines };
}

describe('logs', () => {
  it('never carry endpoint headers, passwords or tokens', () => {
    const { stream, lines } = capture();
    const log = createLogger('info', stream);
    log.info(
      {
        notification: { channel: { endpoint: 'https://x.test', headers: ['Authorization: Bearer s3cret'] } },
        config: { KAFKA_SASL_PASSWORD: 'p4ss', ADMIN_TOKEN: 'adm1n' },
      },
      'delivering',
    );
    const text = lines.join('');
    expect(text).not.toMatch(/s3cret|p4ss|adm1n/);
    expect(text).toContain('https://x.test');
  });

  it('hides the password of a URL', () => {
    expect(redactUrl('amqp://guest:guest@127.0.0.1:5672/vh')).toBe(
      'amqp://guest:[redacted]@127.0.0.1:5672/vh',
    );
  });
});
