/**
 * Places the record batch encoder (record-batch-encoder.ts) in kafkajs's module cache entries for
 * `Record` and `RecordBatch`, the way native-crc.ts places the CRC-32C function: kafkajs's produce
 * request takes both with `require` when it loads, so this must run before kafkajs is loaded.
 * kafkajs's own modules are loaded first (the encoder defers to them off its common path), then
 * their cache entries are given the replacements. Nothing is replaced when kafkajs's produce request
 * has been loaded already, as it would keep the originals, nor when only one of the two has been.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  createRecordBatchCodec,
  type KafkajsLongClass,
  MAGIC_BYTE,
  type RecordBatchCodec,
  type RecordBatchFunction,
  type RecordFunction,
} from './record-batch-encoder.js';

const require = createRequire(import.meta.url);
const KAFKAJS_SRC = join(dirname(require.resolve('kafkajs/package.json')), 'src');

export const KAFKAJS_RECORD_MODULE = join(KAFKAJS_SRC, 'protocol/recordBatch/record/v0/index.js');
export const KAFKAJS_RECORD_BATCH_MODULE = join(KAFKAJS_SRC, 'protocol/recordBatch/v0/index.js');
const KAFKAJS_PRODUCE_V3_MODULE = join(KAFKAJS_SRC, 'protocol/requests/produce/v3/request.js');
const KAFKAJS_ENCODER_MODULE = join(KAFKAJS_SRC, 'protocol/encoder.js');
const KAFKAJS_LONG_MODULE = join(KAFKAJS_SRC, 'utils/long.js');

export interface KafkajsRecordBatchModules {
  /** kafkajs's own functions, as loaded from its files. */
  original: { Record: RecordFunction; RecordBatch: RecordBatchFunction };
  /** The replacements kafkajs loads instead. */
  replacement: RecordBatchCodec;
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
  recordEntry.exports = replacement.Record;
  batchEntry.exports = { RecordBatch: replacement.RecordBatch, MAGIC_BYTE };
  installed = { original: { Record, RecordBatch: batchModule.RecordBatch }, replacement };
  return true;
}
