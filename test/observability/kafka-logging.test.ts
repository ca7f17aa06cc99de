import { Writable } from 'node:stream';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../app/config/index.js';
import { kafkaClientOptions, kafkaLogCreator, kafkaLogLevel } from '../../app/kafka/index.js';
import { createLogger } from '../../app/observability/index.js';

function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger(level, stream), lines };
}

const entry = (level: logLevel, message: string, extra: Record<string, unknown> = {}) => ({
  namespace: 'Connection',
  level,
  label: 'x',
  log: { timestamp: '2026-01-01T00:00:00Z', message, ...extra },
});

describe('kafkajs logs', () => {
  it('go through pino with component kafka, levels mapped, LOG_LEVEL honoured', () => {
    const { logger, lines } = capture('warn');
    const log = kafkaLogCreator(logger)(logLevel.DEBUG);
    log(entry(logLevel.ERROR, 'broken', { broker: '127.0.0.1:9092' }));
    log(entry(logLevel.WARN, 'slow'));
    log(entry(logLevel.INFO, 'joined'));
    log(entry(logLevel.DEBUG, 'fetch'));
    expect(lines.map((l) => [l.level, l.msg, l.component])).toEqual([
      [50, 'broken', 'kafka'],
      [40, 'slow', 'kafka'],
    ]);
    expect(lines[0]).toMatchObject({ namespace: 'Connection', broker: '127.0.0.1:9092' });
    expect(kafkaLogLevel('info')).toBe(logLevel.INFO);
    expect(kafkaLogLevel('silent')).toBe(logLevel.NOTHING);
  });

  it('take routine broker answers (rebalancing, coordinator loading) as warnings, other errors as errors', () => {
    const { logger, lines } = capture('warn');
    const log = kafkaLogCreator(logger)(logLevel.DEBUG);
    log(
      entry(logLevel.ERROR, 'Response Heartbeat(key: 12, version: 3)', {
        error: 'The group is rebalancing, so a rejoin is needed',
      }),
    );
    log(
      entry(logLevel.ERROR, 'Response JoinGroup(key: 11, version: 5)', {
        error: "The coordinator is loading and hence can't process requests for this group",
      }),
    );
    log(
      entry(logLevel.ERROR, 'Response SaslAuthenticate(key: 36, version: 1)', {
        error: 'Authentication failed',
      }),
    );
    expect(lines.map((l) => l.level)).toEqual([40, 40, 50]);
  });

  it('never carry SASL credentials', () => {
    const { logger, lines } = capture('debug');
    const log = kafkaLogCreator(logger, ['hunter22'])(logLevel.DEBUG);
    log(
      entry(logLevel.ERROR, 'SASL PLAIN authentication failed for hunter22', {
        sasl: { mechanism: 'plain', username: 'svc', password: 'hunter22' },
        request: { password: 'hunter22', note: 'with hunter22 inside' },
      }),
    );
    const text = JSON.stringify(lines);
    expect(text).not.toContain('hunter22');
    expect(text).toContain('[redacted]');
  });

  it('reach the client options so a kafkajs client logs through pino', () => {
    const { logger, lines } = capture('info');
    const config = configSchema.parse({
      KAFKA_BROKERS: '127.0.0.1:1',
      LOG_LEVEL: 'info',
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'svc',
      KAFKA_SASL_PASSWORD: 'hunter22',
    });
    const options = kafkaClientOptions(config, logger);
    expect(options.logLevel).toBe(logLevel.INFO);
    const kafka = new Kafka(options);
    kafka.logger().info('hello from kafkajs', { sasl: { password: 'hunter22' } });
    expect(lines.at(-1)).toMatchObject({ component: 'kafka', msg: 'hello from kafkajs', sasl: '[redacted]' });
    expect(JSON.stringify(lines)).not.toContain('hunter22');
  });
});
