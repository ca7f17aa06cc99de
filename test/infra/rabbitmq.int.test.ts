import amqp from 'amqplib';
import { describe, expect, it } from 'vitest';
import { RABBITMQ_URL, uniqueName, waitFor } from '../support/infra.js';

describe('RabbitMQ', () => {
  it('publishes with confirms and consumes', async () => {
    const connection = await amqp.connect(RABBITMQ_URL);
    try {
      const channel = await connection.createConfirmChannel();
      const queue = uniqueName('infra-q');
      await channel.assertQueue(queue, { durable: false, autoDelete: false });
      const confirmed = await new Promise<boolean>((resolve, reject) => {
        channel.sendToQueue(queue, Buffer.from('hello'), { messageId: 'm1' }, (err) =>
          err ? reject(err) : resolve(true),
        );
      });
      expect(confirmed).toBe(true);
      const got: string[] = [];
      await channel.consume(queue, (msg) => {
        if (msg) {
          got.push(`${msg.properties.messageId}:${msg.content.toString()}`);
          channel.ack(msg);
        }
      });
      await waitFor(() => (got.length > 0 ? true : undefined), { what: 'the message' });
      expect(got).toEqual(['m1:hello']);
      await channel.deleteQueue(queue);
      await channel.close();
    } finally {
      await connection.close();
    }
  });
});
