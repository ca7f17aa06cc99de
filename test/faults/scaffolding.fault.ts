import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { startHttpReceiver } from '../../bench/harness/index.js';
import { startProcess } from './child-process.js';
import { endpointOutage } from './endpoint-outage.js';
import { privateKafka } from './private-kafka.js';
import { privateRabbit } from './rabbitmq-control.js';

// The fault helpers themselves, so a failing fault run is about the service, not its tools.
describe('fault scaffolding', () => {
  it('kills a child process with SIGKILL', async () => {
    const child = await startProcess({
      command: process.execPath,
      args: ['-e', "console.log('ready'); setInterval(() => {}, 1000)"],
      readyLine: /^ready$/,
    });
    expect(await child.kill9()).toEqual({ code: null, signal: 'SIGKILL' });
  });

  it('takes an endpoint down and brings it back', async () => {
    const receiver = await startHttpReceiver();
    try {
      const started = Date.now();
      await endpointOutage(receiver, { kind: 'refuse' }, 500);
      expect(Date.now() - started).toBeGreaterThanOrEqual(500);
      expect((await fetch(receiver.url, { method: 'POST', body: '' })).status).toBe(200);
    } finally {
      await receiver.close();
    }
  });

  it('restarts a private broker on its own ports with its data kept', async () => {
    const broker = privateKafka({ port: 39092, controllerPort: 39093 });
    const kafka = new Kafka({
      clientId: 'fault-scaffolding',
      brokers: broker.brokers,
      logLevel: logLevel.NOTHING,
    });
    await broker.start();
    try {
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic: 'survives-restart', messages: [{ key: 'k', value: 'before' }] });
      await producer.disconnect();

      await broker.restart({ kill9: true, downMs: 1_000 });

      const admin = kafka.admin();
      await admin.connect();
      const offsets = await admin.fetchTopicOffsets('survives-restart');
      await admin.disconnect();
      expect(offsets.map((o) => Number(o.high)).reduce((a, b) => a + b, 0)).toBe(1);
    } finally {
      await broker.stop();
    }
  });

  it('refuses the shared broker ports', () => {
    expect(() => privateKafka({ port: 9092, controllerPort: 39093 })).toThrow(/shared broker/);
  });

  it('refuses the shared RabbitMQ node and its ports', () => {
    expect(() => privateRabbit({ node: 'rabbit@localhost' })).toThrow(/shared RabbitMQ/);
    expect(() => privateRabbit({ port: 5672 })).toThrow(/shared RabbitMQ/);
    expect(() => privateRabbit({ distPort: 25672 })).toThrow(/shared RabbitMQ/);
  });
});
