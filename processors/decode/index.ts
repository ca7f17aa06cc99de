export { decodeConfigSchema, parseDecodeConfig, type DecodeConfig } from './config.js';
export { deadLetterFor, DLQ_HEADER, type DeadLetterRecord } from './dead-letter.js';
export { decodeChangeRecord } from './decode.js';
export { ChangeDecodeError, type DecodeReason } from './errors.js';
export { canonicalResourceKey, parseCanonicalResourceKey, type ParsedCanonicalResourceKey } from './key.js';
export type {
  ChangelogFormat,
  ChangelogRecord,
  DecodedChange,
  DecodeOptions,
  FramedValueDecoder,
  HeaderValue,
  TopicFormat,
} from './types.js';
