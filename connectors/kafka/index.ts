export { KafkaTransport, type KafkaLogging } from './transport.js';
export {
  kafkaTransportConfigSchema,
  parseKafkaTransportConfig,
  type KafkaTransportConfig,
  type KafkaTransportConfigInput,
} from './config.js';
export {
  connectionCodecInstalled,
  groupMessagesInstalled,
  nativeCrcInstalled,
  recordBatchEncoderInstalled,
  recordDecoderInstalled,
} from './native-crc.js';
