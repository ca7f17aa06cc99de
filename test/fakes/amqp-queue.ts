/** A uniquely named queue on the test RabbitMQ, read back through a plain consumer. */
import { connect, type ChannelModel, type ConsumeMessage } from 'amqplib';

export const RABBITMQ_URL = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

export class TestQueue {
  readonly messages: ConsumeMessage[] = [];
  private model: ChannelModel | undefined;

  constructor(readonly name = `substream-test-${process.pid}-${Math.random().toString(36).slice(2, 10)}`) {}

  async start(
    options: { declare?: boolean; bindTo?: { exchange: string; pattern: string } } = {},
  ): Promise<void> {
    this.model = await connect(RABBITMQ_URL);
    const channel = await this.model.createChannel();
    if (options.declare ?? true) await channel.assertQueue(this.name, { durable: false, autoDelete: false });
    if (options.bindTo !== undefined) {
      await channel.assertExchange(options.bindTo.exchange, 'topic', { durable: false, autoDelete: true });
      await channel.bindQueue(this.name, options.bindTo.exchange, options.bindTo.pattern);
    }
    await channel.consume(
      this.name,
      (message) => {
        if (message !== null) this.messages.push(message);
      },
      { noAck: true },
    );
  }

  events(): number[] {
    return this.messages.map((m) => Number(m.properties.headers?.['x-substream-event-number']));
  }

  async stop(): Promise<void> {
    const model = this.model;
    this.model = undefined;
    if (model === undefined) return;
    const channel = await model.createChannel();
    await channel.deleteQueue(this.name);
    await model.close();
  }
}
