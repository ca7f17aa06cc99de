import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AmqpSink } from '../../../connectors/index.js';
import { RABBITMQ_URL, TestQueue } from '../../fakes/amqp-queue.js';
import { until } from '../../fakes/wait.js';
import { notification } from '../../fixtures/notifications.js';

describe('AMQP sink: publishes with confirms', () => {
  let queue: TestQueue;
  const sinks: AmqpSink[] = [];

  beforeEach(() => {
    queue = new TestQueue();
  });

  afterEach(async () => {
    await Promise.all(sinks.splice(0).map((s) => s.close()));
    await queue.stop();
  });

  async function sink(topology: 'none' | 'check' | 'declare'): Promise<AmqpSink> {
    const s = new AmqpSink({ config: { url: RABBITMQ_URL, topology, connectionName: `test-${queue.name}` } });
    sinks.push(s);
    await s.connect();
    return s;
  }

  it('delivers to channel:queue with its properties once the broker confirms', async () => {
    await queue.start();
    const s = await sink('check');
    const n = notification('s1', 1, {
      channel: {
        type: 'message',
        endpoint: `channel:${queue.name}`,
        headers: ['Authorization: Basic dXNlcjpwdw=='],
      },
      properties: { messageType: 'EHealthSimpleEvent', tags: ['system-1|code-1', 'system-2|code-2'] },
    });
    expect(await s.write(n)).toEqual({ kind: 'delivered' });
    await until(() => queue.messages.length === 1);
    const [message] = queue.messages;
    expect(message!.content.toString()).toBe(n.body);
    expect(message!.properties).toMatchObject({
      contentType: 'application/fhir+json',
      messageId: 's1-1',
      deliveryMode: 2,
    });
    expect(message!.properties.headers).toMatchObject({
      authorization: 'Basic dXNlcjpwdw==',
      messageType: 'EHealthSimpleEvent',
      tags: ['system-1|code-1', 'system-2|code-2'],
      'x-substream-event-number': 1,
    });
  });

  it('publishes to an exchange named by an amqp:// endpoint with its routing key', async () => {
    const exchange = `${queue.name}-x`;
    await queue.start({ bindTo: { exchange, pattern: 'Patient.*' } });
    const s = await sink('check');
    const endpoint = `${RABBITMQ_URL}?exchange=${exchange}&routingKey=Patient.updated`;
    const n = notification('s1', 2, { channel: { type: 'message', endpoint, headers: [] } });
    expect(await s.write(n)).toEqual({ kind: 'delivered' });
    await until(() => queue.messages.length === 1);
    expect(queue.messages[0]!.fields.routingKey).toBe('Patient.updated');
  });

  it('counts a returned mandatory message, and a missing queue, as failures', async () => {
    const s = await sink('none');
    const nowhere = notification('s1', 3, {
      channel: { type: 'message', endpoint: `channel:${queue.name}-missing`, headers: [] },
    });
    const returned = await s.write(nowhere);
    expect(returned).toMatchObject({ kind: 'retriable' });
    expect(returned.kind === 'retriable' && returned.error).toMatch(/returned/);
    const checked = await (await sink('check')).write(nowhere);
    expect(checked).toMatchObject({ kind: 'retriable', error: expect.stringMatching(/does not exist/) });
  });

  it('declares the queue when configured to', async () => {
    const s = await sink('declare');
    const n = notification('s1', 4, {
      channel: { type: 'message', endpoint: `channel:${queue.name}`, headers: [] },
    });
    expect(await s.write(n)).toEqual({ kind: 'delivered' });
    await queue.start({ declare: false });
    await until(() => queue.messages.length === 1);
  });
});
