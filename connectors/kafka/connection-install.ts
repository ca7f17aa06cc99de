/**
 * Places the request framing (request-frame.ts) in kafkajs's module cache entry for
 * `protocol/request.js`, and the response reader (response-reader.ts) on kafkajs's `Connection`,
 * the way record-batch-install.ts places the record batch codec. `network/connection.js` takes the
 * framing with `require` when it loads, so nothing is replaced once it has been loaded.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { KAFKAJS_SRC } from './kafkajs-src.js';
import { encoderOver } from './record-batch-encoder.js';
import { createRequestFrame, type RequestFrameFunction } from './request-frame.js';
import { createProcessData, type ProcessDataFunction } from './response-reader.js';

const require = createRequire(import.meta.url);

export const KAFKAJS_REQUEST_MODULE = join(KAFKAJS_SRC, 'protocol/request.js');
export const KAFKAJS_CONNECTION_MODULE = join(KAFKAJS_SRC, 'network/connection.js');
const KAFKAJS_ENCODER_MODULE = join(KAFKAJS_SRC, 'protocol/encoder.js');

export interface KafkajsConnectionModules {
  /** kafkajs's own functions. */
  original: { request: RequestFrameFunction; processData: ProcessDataFunction };
  /** What kafkajs uses instead. */
  replacement: { request: RequestFrameFunction; processData: ProcessDataFunction };
}

let installed: KafkajsConnectionModules | undefined;

/** kafkajs's request framing and response reading and their replacements, when installed. */
export const kafkajsConnectionModules = (): KafkajsConnectionModules | undefined => installed;

/** Installs both unless kafkajs's connection is loaded already; whether they are installed. */
export function installConnectionCodec(): boolean {
  if (installed !== undefined) return true;
  const paths = [KAFKAJS_REQUEST_MODULE, KAFKAJS_CONNECTION_MODULE];
  if (paths.some((path) => require.cache[path] !== undefined || !existsSync(path))) return false;
  const originalRequest = require(KAFKAJS_REQUEST_MODULE) as RequestFrameFunction;
  const Encoder = require(KAFKAJS_ENCODER_MODULE) as { prototype: object };
  const requestEntry = require.cache[KAFKAJS_REQUEST_MODULE];
  if (requestEntry === undefined) return false;
  const request = createRequestFrame(encoderOver(Encoder.prototype), originalRequest);
  requestEntry.exports = request;
  // Loaded now, it takes the framing above.
  const Connection = require(KAFKAJS_CONNECTION_MODULE) as {
    prototype: { processData: ProcessDataFunction };
  };
  const originalProcessData = Connection.prototype.processData;
  const processData = createProcessData(originalProcessData);
  Connection.prototype.processData = processData;
  installed = {
    original: { request: originalRequest, processData: originalProcessData },
    replacement: { request, processData },
  };
  return true;
}
