/**
 * kafkajs's `Connection.processData`: cuts the socket's bytes into responses (a 4-byte size, then
 * the correlation id and the payload) and hands each to the request queue. kafkajs keeps the
 * chunks of a response until the last one arrives and then copies all of them with
 * `Buffer.concat`: for a fetch response of several MB (a consumer behind its topic gets up to
 * `maxBytes`), that copy reads chunks long gone from the CPU's caches into a fresh allocation,
 * about 5% of a stateful topology's CPU under load. Here a response's buffer is allocated once its
 * size is known and each chunk is copied into it as it arrives, while still in cache; a response
 * that lies whole within one chunk is a view of it, as in kafkajs. Same responses, same order.
 *
 * While the connection authenticates (SASL), kafkajs's own function runs: it hands raw frames to
 * the authenticator.
 */

/** What `processData` reads and calls on a kafkajs `Connection`. */
export interface KafkajsConnection {
  authHandlers: unknown;
  socket?: unknown;
  chunks: Buffer[];
  bytesBuffered: number;
  bytesNeeded: number;
  requestQueue: { fulfillRequest(response: { size: number; correlationId: number; payload: Buffer }): void };
}

export type ProcessDataFunction = (this: KafkajsConnection, rawData: Buffer) => void;

/** A response being read: its size, and its buffer once the size is known. */
interface ReaderState {
  /** The socket the bytes came from: a new socket (a reconnection) starts afresh. */
  socket: unknown;
  /** Bytes of a size prefix split across chunks (fewer than 4). */
  head: Buffer | undefined;
  /** The response in progress (correlation id and payload) and how much of it has arrived. */
  body: Buffer | undefined;
  filled: number;
}

const SIZE = 4;
const states = new WeakMap<KafkajsConnection, ReaderState>();

/** The `processData` method kafkajs's connections use instead of `original`. */
export function createProcessData(original: ProcessDataFunction): ProcessDataFunction {
  return function processData(this: KafkajsConnection, rawData: Buffer): void {
    if (this.authHandlers) {
      original.call(this, rawData);
      return;
    }
    let state = states.get(this);
    if (state === undefined || state.socket !== this.socket) {
      state = { socket: this.socket, head: undefined, body: undefined, filled: 0 };
      states.set(this, state);
    }
    let data = rawData;
    // Bytes kafkajs's own function kept (during authentication) come first.
    if (this.bytesBuffered > 0) {
      data = Buffer.concat([...this.chunks, rawData]);
      this.chunks = [];
      this.bytesBuffered = 0;
      this.bytesNeeded = SIZE;
    }
    readChunk(this, state, data);
  };
}

function readChunk(connection: KafkajsConnection, state: ReaderState, data: Buffer): void {
  let at = 0;
  while (at < data.length) {
    if (state.body !== undefined) {
      const n = Math.min(state.body.length - state.filled, data.length - at);
      data.copy(state.body, state.filled, at, at + n);
      state.filled += n;
      at += n;
      if (state.filled === state.body.length) {
        const body = state.body;
        state.body = undefined;
        state.filled = 0;
        deliver(connection, body);
      }
      continue;
    }
    let size: number;
    if (state.head !== undefined) {
      const take = Math.min(SIZE - state.head.length, data.length - at);
      state.head = Buffer.concat([state.head, data.subarray(at, at + take)]);
      at += take;
      if (state.head.length < SIZE) return;
      size = state.head.readInt32BE(0);
      state.head = undefined;
    } else if (data.length - at < SIZE) {
      state.head = Buffer.from(data.subarray(at));
      return;
    } else {
      size = data.readInt32BE(at);
      at += SIZE;
      // The whole response is in this chunk: a view, no copy.
      if (data.length - at >= size) {
        deliver(connection, data.subarray(at, at + size));
        at += size;
        continue;
      }
    }
    state.body = Buffer.allocUnsafe(size);
    state.filled = 0;
  }
}

/** As kafkajs: the correlation id, then the rest as the payload. */
function deliver(connection: KafkajsConnection, response: Buffer): void {
  connection.requestQueue.fulfillRequest({
    size: response.length,
    correlationId: response.readInt32BE(0),
    payload: response.subarray(SIZE),
  });
}
