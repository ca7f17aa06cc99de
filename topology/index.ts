/**
 * The streams runtime: build a topology of named nodes, run it over Kafka or the embedded log.
 */
export {
  TopologyBuilder,
  Topology,
  type SourceOptions,
  type ProcessorOptions,
  type RepartitionOptions,
  type SinkOptions,
  type StoreOptions,
  type GlobalTableDefinition,
  type SubTopology,
  type TopologyNode,
} from './builder.js';
export type {
  Processor,
  ProcessorContext,
  StreamRecord,
  PunctuationType,
  ErrorPolicy,
  Clock,
} from './processor.js';
export { systemClock } from './processor.js';
export {
  streamsConfigSchema,
  parseStreamsConfig,
  type StreamsConfig,
  type StreamsConfigInput,
} from './config.js';
export {
  KafkaStreams,
  type StreamsOptions,
  type StreamsState,
  type StreamsLogger,
  type InstanceMetadata,
  type KeyOwner,
} from './runtime/streams.js';
export { RestartBackoff } from './runtime/restart-backoff.js';
export { EmbeddedTransport } from './embedded/transport.js';
export { TopologyTestDriver, type TestDriverOptions, type OutputRecord } from './test-driver.js';
export { prometheusMetrics } from './metrics.js';
export { partitionFor, murmur2 } from './partitioner.js';
export { rxProcessor, mapValues, flatMapValues } from './operators/rx-processor.js';
