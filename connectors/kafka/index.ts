export { KafkaTransport, type KafkaLogging } from './transport.js';
export {
  kafkaTransportConfigSchema,
  parseKafkaTransportConfig,
  type KafkaTransportConfig,
  type KafkaTransportConfigInput,
} from './config.js';
export { nativeCrcInstalled } from './native-crc.js';
