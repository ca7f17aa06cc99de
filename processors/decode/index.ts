export { deadLetterFor, DLQ_HEADER, type DeadLetterRecord } from './dead-letter.js';
export { decodeChangeRecord } from './decode.js';
export { ChangeDecodeError, type DecodeReason } from './errors.js';
export { FHIR_ID, parseResourceKey, RESOURCE_TYPE, resourceKey, type ParsedResourceKey } from './key.js';
export { parsePayloadId } from './smile.js';
export type {
  ChangelogFormat,
  ChangelogRecord,
  DecodedChange,
  DecodeOptions,
  FramedValueDecoder,
  HeaderValue,
  TopicFormat,
} from './types.js';
