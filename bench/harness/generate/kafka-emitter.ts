/** Emits changes to a Kafka changelog topic with a kafkajs producer, one send per batch, keyed `Type/id`. */
// Before kafkajs: the harness's producers use the same codec replacements as the service (docs/kafka-codec.md).
import '../../../connectors/kafka/native-crc.js';
import { CompressionTypes, Kafka, logLevel, type Producer } from 'kafkajs';
import type { ChangeEmitter } from './emitter.js';

export interface KafkaEmitterOptions {
  brokers: string[];
  topic: string;
  clientId?: string;
  /** acks: -1 waits for all in-sync replicas (the default, as a FHIR server's CDC would). */
  acks?: number;
  compression?: 'none' | 'gzip';
}

export function kafkaEmitter(options: KafkaEmitterOptions): ChangeEmitter {
  const kafka = new Kafka({
    clientId: options.clientId ?? 'substream-loadgen',
    brokers: options.brokers,
    logLevel: logLevel.NOTHING,
  });
  const producer: Producer = kafka.producer({ allowAutoTopicCreation: false });
  const compression = options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
  return {
    connect: () => producer.connect(),
    async send(batch) {
      await producer.send({
        topic: options.topic,
        acks: options.acks ?? -1,
        compression,
        messages: batch.map((c) => ({ key: c.key, value: JSON.stringify(c.value) })),
      });
    },
    close: () => producer.disconnect(),
  };
}
