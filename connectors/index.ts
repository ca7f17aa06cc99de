// Delivery sinks: the sink port and the HTTP, AMQP and Kafka (named channel) connectors.
export { NotConnectedError, type Sink, type SinkNotification, type SinkResult } from './sink.js';
export { HttpSink, type HttpSinkOptions } from './http/sink.js';
export { httpSinkConfigSchema, type HttpSinkConfig, type HttpSinkConfigInput } from './http/config.js';
export { parseHeaderLines, type ParsedHeaders } from './http/header-lines.js';
export { AddressRefusedError, createAddressGuard, type AddressGuard } from './http/address-guard.js';
export { signPayload, verifySignature, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './http/signature.js';
export { NOTIFICATION_ID_HEADER, SUBSCRIPTION_ID_HEADER, EVENT_NUMBER_HEADER } from './http/request.js';
export { superviseConnection, type ConnectionSupervisor, type ReconnectOptions } from './reconnect.js';
export { AmqpSink, type AmqpSinkOptions } from './amqp/sink.js';
export { amqpSinkConfigSchema, type AmqpSinkConfig, type AmqpSinkConfigInput } from './amqp/config.js';
export { parseAmqpEndpoint, InvalidAmqpEndpointError, type AmqpTarget } from './amqp/endpoint.js';
export { publishOptions } from './amqp/properties.js';
export { KafkaExternalSink, type KafkaExternalSinkOptions } from './kafka-external/sink.js';
export {
  kafkaExternalSinkConfigSchema,
  type KafkaExternalSinkConfig,
  type KafkaExternalSinkConfigInput,
} from './kafka-external/config.js';
export { toRecord as kafkaRecordOf, externalTopic } from './kafka-external/record.js';
export { createDeliveryMetrics, LATENCY_BUCKETS, type DeliveryMetricsRecorder } from './delivery-metrics.js';

// Schema registry codec (Avro / JSON Schema values framed for a Confluent-compatible registry).
export * from './schema-registry/index.js';

// Kafka transport (the streams runtime's port over kafkajs).
export * from './kafka/index.js';
