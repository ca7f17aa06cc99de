/** A uniquely named topic on the test broker, read back by a consumer in its own group. */
import { Kafka, logLevel, type Consumer, type KafkaMessage } from 'kafkajs';

export const KAFKA_BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

export class TestTopic {
  readonly messages: KafkaMessage[] = [];
  private readonly kafka = new Kafka({
    clientId: 'substream-test',
    brokers: KAFKA_BROKERS,
    logLevel: logLevel.NOTHING,
  });
  private consumer: Consumer | undefined;

  constructor(readonly name = `substream-test-${process.pid}-${Math.random().toString(36).slice(2, 10)}`) {}

  async start(partitions = 1): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic: this.name, numPartitions: partitions, replicationFactor: 1 }],
      waitForLeaders: true,
    });
    await admin.disconnect();
    this.consumer = this.kafka.consumer({ groupId: `${this.name}-reader` });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.name, fromBeginning: true });
    await this.consumer.run({ eachMessage: async ({ message }) => void this.messages.push(message) });
  }

  header(message: KafkaMessage, name: string): string | undefined {
    const value = message.headers?.[name];
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined ? undefined : first.toString();
  }

  async stop(): Promise<void> {
    if (this.consumer === undefined) return;
    await this.consumer.disconnect();
    this.consumer = undefined;
    const admin = this.kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [this.name] }).catch(() => undefined);
    await admin.disconnect();
  }
}
