/**
 * kafkajs computes the CRC-32C of every record batch it produces one byte at a time in JavaScript,
 * about a tenth of a stateful topology's CPU time; @node-rs/crc32 computes the same checksum with
 * the processor's CRC instructions. kafkajs takes its CRC function with `require` when its protocol
 * modules load, so the native one is placed in the module cache before that: every module of ours
 * that loads kafkajs imports this module first. Should kafkajs have been loaded already (by a
 * caller importing it before us), it keeps its own function, which computes the same value.
 *
 * Once the checksum is in place, kafkajs's record batch encoder, produce request, record decoder
 * and producer's grouping of messages per partition are replaced as well (see record-batch-install.ts),
 * and so are its request framing and its connection's reading of responses (connection-install.ts),
 * so that every module importing this one gets them all.
 */
import { existsSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { join } from 'node:path';
import { KAFKAJS_SRC } from './kafkajs-src.js';
import { crc32c } from '@node-rs/crc32';
import {
  installGroupMessages,
  installRecordBatchEncoder,
  installRecordDecoder,
} from './record-batch-install.js';
import { installConnectionCodec } from './connection-install.js';

const require = createRequire(import.meta.url);

/** kafkajs's CRC-32C module (its index wraps the table-driven function into an unsigned value). */
export const KAFKAJS_CRC_MODULE = join(KAFKAJS_SRC, 'protocol/recordBatch/crc32C/index.js');

/** Same contract as kafkajs's: the unsigned CRC-32C of the buffer. */
export const nativeCrc32c = (buffer: Buffer): number => crc32c(buffer);

function install(): boolean {
  if (require.cache[KAFKAJS_CRC_MODULE] !== undefined || !existsSync(KAFKAJS_CRC_MODULE)) return false;
  const module = new Module(KAFKAJS_CRC_MODULE);
  module.filename = KAFKAJS_CRC_MODULE;
  module.loaded = true;
  module.exports = nativeCrc32c;
  require.cache[KAFKAJS_CRC_MODULE] = module;
  return true;
}

/** Whether kafkajs produces with the native checksum in this process. */
export const nativeCrcInstalled: boolean = install();

/** Whether kafkajs encodes produced record batches with record-batch-encoder.ts in this process. */
export const recordBatchEncoderInstalled: boolean = installRecordBatchEncoder();

/** Whether kafkajs decodes fetched records with record-decoder.ts in this process. */
export const recordDecoderInstalled: boolean = installRecordDecoder();

/** Whether kafkajs's producer groups messages per partition with group-messages.ts in this process. */
export const groupMessagesInstalled: boolean = installGroupMessages();

/** Whether kafkajs frames requests and reads responses with request-frame.ts and response-reader.ts. */
export const connectionCodecInstalled: boolean = installConnectionCodec();
