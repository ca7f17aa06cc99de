/**
 * Places the record batch encoder (record-batch-encoder.ts) in kafkajs's module cache entries for
 * `Record` and `RecordBatch`, and the produce request built on it (produce-request-encoder.ts) in
 * the entry for produce request v3, the way native-crc.ts places the CRC-32C function: kafkajs takes
 * them with `require` when its modules load, so this must run before kafkajs is loaded.
 * kafkajs's own modules are loaded first (the encoder defers to them off its common path), then
 * their cache entries are given the replacements. Nothing is replaced when kafkajs's produce request
 * has been loaded already, as it would keep the originals, nor when only one of the two has been.
 */
import { existsSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { join } from 'node:path';
import { KAFKAJS_SRC } from './kafkajs-src.js';
import {
  createRecordBatchCodec,
  type KafkajsLongClass,
  MAGIC_BYTE,
  type RecordBatchCodec,
  type RecordBatchFunction,
  type RecordFunction,
} from './record-batch-encoder.js';
import { createProduceRequest, type ProduceRequestFunction } from './produce-request-encoder.js';
import { createRecordDecoder, type RecordDecoderFunction } from './record-decoder.js';
import { type GroupMessagesFunction, groupMessagesPerPartition } from './group-messages.js';

const require = createRequire(import.meta.url);

export const KAFKAJS_RECORD_MODULE = join(KAFKAJS_SRC, 'protocol/recordBatch/record/v0/index.js');
export const KAFKAJS_RECORD_BATCH_MODULE = join(KAFKAJS_SRC, 'protocol/recordBatch/v0/index.js');
export const KAFKAJS_PRODUCE_V3_MODULE = join(KAFKAJS_SRC, 'protocol/requests/produce/v3/request.js');
export const KAFKAJS_RECORD_DECODER_MODULE = join(KAFKAJS_SRC, 'protocol/recordBatch/record/v0/decoder.js');
const KAFKAJS_RECORD_BATCH_DECODER_MODULE = join(KAFKAJS_SRC, 'protocol/recordBatch/v0/decoder.js');
const KAFKAJS_HEADER_DECODER_MODULE = join(KAFKAJS_SRC, 'protocol/recordBatch/header/v0/decoder.js');
export const KAFKAJS_GROUP_MESSAGES_MODULE = join(KAFKAJS_SRC, 'producer/groupMessagesPerPartition.js');
const KAFKAJS_SEND_MESSAGES_MODULE = join(KAFKAJS_SRC, 'producer/sendMessages.js');
const KAFKAJS_API_KEYS_MODULE = join(KAFKAJS_SRC, 'protocol/requests/apiKeys.js');
const KAFKAJS_ENCODER_MODULE = join(KAFKAJS_SRC, 'protocol/encoder.js');
const KAFKAJS_LONG_MODULE = join(KAFKAJS_SRC, 'utils/long.js');

export interface KafkajsRecordBatchModules {
  /** kafkajs's own functions, as loaded from its files. */
  original: { Record: RecordFunction; RecordBatch: RecordBatchFunction };
  /** The replacements kafkajs loads instead. */
  replacement: RecordBatchCodec;
  /** The produce request (v3, which v4 to v7 extend) kafkajs loads instead of its own. */
  produceRequest: ProduceRequestFunction;
}

let installed: KafkajsRecordBatchModules | undefined;

/** kafkajs's functions and their replacements, when the replacements are installed. */
export const kafkajsRecordBatchModules = (): KafkajsRecordBatchModules | undefined => installed;

/** Installs the encoder unless kafkajs's produce path is loaded already; whether it is installed. */
export function installRecordBatchEncoder(): boolean {
  if (installed !== undefined) return true;
  const paths = [KAFKAJS_RECORD_MODULE, KAFKAJS_RECORD_BATCH_MODULE, KAFKAJS_PRODUCE_V3_MODULE];
  if (paths.some((path) => require.cache[path] !== undefined || !existsSync(path))) return false;

  const Record = require(KAFKAJS_RECORD_MODULE) as RecordFunction;
  const batchModule = require(KAFKAJS_RECORD_BATCH_MODULE) as {
    RecordBatch: RecordBatchFunction;
    MAGIC_BYTE: number;
  };
  const Encoder = require(KAFKAJS_ENCODER_MODULE) as { prototype: object };
  const Long = require(KAFKAJS_LONG_MODULE) as KafkajsLongClass;
  const { Produce: produceApiKey } = require(KAFKAJS_API_KEYS_MODULE) as { Produce: number };
  if (batchModule.MAGIC_BYTE !== MAGIC_BYTE) return false;

  const replacement = createRecordBatchCodec({
    Record,
    RecordBatch: batchModule.RecordBatch,
    encoderPrototype: Encoder.prototype,
    Long,
  });
  const recordEntry = require.cache[KAFKAJS_RECORD_MODULE];
  const batchEntry = require.cache[KAFKAJS_RECORD_BATCH_MODULE];
  if (recordEntry === undefined || batchEntry === undefined) return false;
  const produceRequest = createProduceRequest(replacement, Long, produceApiKey);
  recordEntry.exports = replacement.Record;
  batchEntry.exports = { RecordBatch: replacement.RecordBatch, MAGIC_BYTE };
  const produceEntry = new Module(KAFKAJS_PRODUCE_V3_MODULE);
  produceEntry.filename = KAFKAJS_PRODUCE_V3_MODULE;
  produceEntry.loaded = true;
  produceEntry.exports = produceRequest;
  require.cache[KAFKAJS_PRODUCE_V3_MODULE] = produceEntry;
  installed = { original: { Record, RecordBatch: batchModule.RecordBatch }, replacement, produceRequest };
  return true;
}

export interface KafkajsRecordDecoderModules {
  original: RecordDecoderFunction;
  replacement: RecordDecoderFunction;
}

let decoderInstalled: KafkajsRecordDecoderModules | undefined;

/** kafkajs's record decoder and its replacement, when the replacement is installed. */
export const kafkajsRecordDecoderModules = (): KafkajsRecordDecoderModules | undefined => decoderInstalled;

/**
 * Installs record-decoder.ts in the cache entry of kafkajs's record decoder, unless kafkajs's
 * record batch decoder (which takes it when it loads) is loaded already; whether it is installed.
 */
export function installRecordDecoder(): boolean {
  if (decoderInstalled !== undefined) return true;
  const paths = [KAFKAJS_RECORD_DECODER_MODULE, KAFKAJS_RECORD_BATCH_DECODER_MODULE];
  if (paths.some((path) => require.cache[path] !== undefined || !existsSync(path))) return false;
  const original = require(KAFKAJS_RECORD_DECODER_MODULE) as RecordDecoderFunction;
  const HeaderDecoder = require(KAFKAJS_HEADER_DECODER_MODULE) as Parameters<typeof createRecordDecoder>[1];
  const entry = require.cache[KAFKAJS_RECORD_DECODER_MODULE];
  if (entry === undefined) return false;
  const replacement = createRecordDecoder(original, HeaderDecoder);
  entry.exports = replacement;
  decoderInstalled = { original, replacement };
  return true;
}

let groupingOriginal: GroupMessagesFunction | undefined;

/** kafkajs's `groupMessagesPerPartition`, when group-messages.ts is installed in its place. */
export const kafkajsGroupMessagesOriginal = (): GroupMessagesFunction | undefined => groupingOriginal;

/**
 * Installs group-messages.ts in the cache entry of kafkajs's `groupMessagesPerPartition`, unless
 * kafkajs's `sendMessages` (which takes it when it loads) is loaded already; whether it is installed.
 */
export function installGroupMessages(): boolean {
  if (groupingOriginal !== undefined) return true;
  const paths = [KAFKAJS_GROUP_MESSAGES_MODULE, KAFKAJS_SEND_MESSAGES_MODULE];
  if (paths.some((path) => require.cache[path] !== undefined || !existsSync(path))) return false;
  const original = require(KAFKAJS_GROUP_MESSAGES_MODULE) as GroupMessagesFunction;
  const entry = require.cache[KAFKAJS_GROUP_MESSAGES_MODULE];
  if (entry === undefined) return false;
  entry.exports = groupMessagesPerPartition;
  groupingOriginal = original;
  return true;
}
