/**
 * kafkajs's request framing (`protocol/request.js`): the size, the request header (api key and
 * version, correlation id, client id) and the encoded request body. kafkajs writes the header into
 * a new `Encoder`, copies the body after it, then copies all of it into a second `Encoder` behind
 * the size: two zero-filled allocations of up to twice the request and two copies of the body for
 * every request, a produce request of a few hundred KB included. Here the frame is one buffer of
 * the exact size, the body copied into it once. Same bytes.
 */
import type { KafkajsEncoder } from './record-batch-encoder.js';

export interface FramedRequest {
  apiKey: number;
  apiVersion: number;
  encode: () => KafkajsEncoder | Promise<KafkajsEncoder>;
}

export interface RequestFrameArgs {
  correlationId: number;
  clientId: string | null | undefined;
  request: FramedRequest;
}

/** The `protocol/request.js` module's export. */
export type RequestFrameFunction = (args: RequestFrameArgs) => Promise<KafkajsEncoder>;

/** size (4) + api key (2) + api version (2) + correlation id (4) + client id length (2). */
const FIXED_HEADER = 14;

/**
 * `wrap` makes an `Encoder` over a written buffer (record-batch-encoder.ts); `original` is kafkajs's
 * function, which frames (or refuses, as kafkajs does) a body that is not an `Encoder`.
 */
export function createRequestFrame(
  wrap: (buf: Buffer, size: number) => KafkajsEncoder,
  original: RequestFrameFunction,
): RequestFrameFunction {
  return async (args) => {
    const { correlationId, clientId, request } = args;
    const { apiKey, apiVersion } = request;
    const payload = await request.encode();
    if (payload === null || typeof payload !== 'object' || !Buffer.isBuffer(payload.buf))
      return original({ ...args, request: { ...request, encode: () => payload } });
    // The body is what the encoder wrote: its buffer up to its offset.
    const body = payload.buf.subarray(0, payload.offset);
    // kafkajs writes a null or absent client id as a string of length -1.
    const idLength = clientId === null || clientId === undefined ? -1 : Buffer.byteLength(clientId, 'utf8');
    const headerSize = FIXED_HEADER + Math.max(idLength, 0);
    const frame = Buffer.allocUnsafe(headerSize + body.length);
    frame.writeInt32BE(headerSize - 4 + body.length, 0);
    frame.writeInt16BE(apiKey, 4);
    frame.writeInt16BE(apiVersion, 6);
    frame.writeInt32BE(correlationId, 8);
    frame.writeInt16BE(idLength, 12);
    if (idLength > 0) frame.write(clientId!, FIXED_HEADER, idLength, 'utf8');
    body.copy(frame, headerSize);
    return wrap(frame, frame.length);
  };
}
