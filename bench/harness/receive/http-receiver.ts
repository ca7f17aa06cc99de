/**
 * The notification receiver: a real HTTP server on loopback with keep-alive that acknowledges and
 * records every notification (any method, any path). It can be told to fail for a period, for
 * given subscriptions or all, with a status code, or to refuse connections by closing its listener,
 * to play a subscriber endpoint that is down.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Arrival, ArrivalLog } from './arrival.js';
import { identifyArrival } from './identity.js';

export interface HttpReceiverOptions {
  port?: number;
  host?: string;
  /** Called for each recorded arrival (for live throughput counting). */
  onArrival?: (arrival: Arrival) => void;
  /** Keep the arrivals for `arrivals()` (true); false hands them to `onArrival` only. */
  keepArrivals?: boolean;
}

export interface FailureRule {
  /** The subscriptions that fail; undefined means every subscription. */
  subscriptionIds?: ReadonlySet<string>;
  status: 500 | 502 | 503 | 429;
  /** Epoch milliseconds at which the rule expires. */
  until: number;
}

export interface HttpReceiver extends ArrivalLog {
  readonly url: string;
  readonly port: number;
  /** Requests answered with an error status while a failure rule applied. */
  rejected(): number;
  /** Requests that named no subscription (acknowledged, not recorded). */
  unidentified(): number;
  /** Resolves once everything received so far shows in `arrivals`, `rejected` and `unidentified`. */
  settled(): Promise<void>;
  /** Answers `status` to the given subscriptions (or all) for `durationMs`. */
  failFor(options: {
    durationMs: number;
    /** When the rule expires (epoch ms), if not `durationMs` from now: a receiver on another thread gets the order later. */
    until?: number;
    status?: FailureRule['status'];
    subscriptionIds?: Iterable<string>;
  }): void;
  /** Closes the listener and every open connection, and listens again after `durationMs`. */
  goDown(durationMs: number): Promise<void>;
  /** Resolves once the listener is back after goDown. */
  whenUp(): Promise<void>;
  close(): Promise<void>;
}

/** The whole request body as UTF-8 text. */
export function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export async function startHttpReceiver(options: HttpReceiverOptions = {}): Promise<HttpReceiver> {
  const host = options.host ?? '127.0.0.1';
  const arrivals: Arrival[] = [];
  const keep = options.keepArrivals ?? true;
  const sockets = new Set<Socket>();
  let rules: FailureRule[] = [];
  let rejected = 0;
  let unidentified = 0;
  let up: Promise<void> = Promise.resolve();

  const failing = (subscriptionId: string | undefined, now: number): FailureRule | undefined => {
    rules = rules.filter((r) => r.until > now);
    return rules.find(
      (r) =>
        r.subscriptionIds === undefined ||
        (subscriptionId !== undefined && r.subscriptionIds.has(subscriptionId)),
    );
  };

  const server: Server = createServer({ keepAlive: true, keepAliveTimeout: 30_000 }, (request, response) => {
    readBody(request).then(
      (body) => {
        const arrivedAt = Date.now();
        const arrival = identifyArrival(
          (name) => {
            const value = request.headers[name];
            return Array.isArray(value) ? value[0] : value;
          },
          body,
          arrivedAt,
          'rest-hook',
        );
        const rule = failing(arrival?.subscriptionId, arrivedAt);
        if (rule !== undefined) {
          rejected++;
          response
            .writeHead(rule.status, { 'content-type': 'text/plain', 'retry-after': '1' })
            .end('failing on purpose');
          return;
        }
        if (arrival === undefined) unidentified++;
        else {
          if (keep) arrivals.push(arrival);
          options.onArrival?.(arrival);
        }
        response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      },
      (error: unknown) => {
        response.writeHead(400).end(error instanceof Error ? error.message : 'bad request');
      },
    );
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const listen = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        const address = server.address();
        resolve(typeof address === 'object' && address !== null ? address.port : port);
      });
    });
  const closeListener = (): Promise<void> =>
    new Promise((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });

  const port = await listen(options.port ?? 0);
  return {
    url: `http://${host}:${port}/`,
    port,
    arrivals: () => arrivals,
    rejected: () => rejected,
    unidentified: () => unidentified,
    settled: () => Promise.resolve(),
    failFor({ durationMs, status = 503, subscriptionIds, until = Date.now() + durationMs }) {
      rules.push({
        status,
        until,
        ...(subscriptionIds !== undefined ? { subscriptionIds: new Set(subscriptionIds) } : {}),
      });
    },
    async goDown(durationMs) {
      await closeListener();
      up = new Promise<void>((resolve, reject) => {
        setTimeout(() => listen(port).then(() => resolve(), reject), durationMs);
      });
    },
    whenUp: () => up,
    async close() {
      await up.catch(() => undefined);
      await closeListener();
    },
  };
}
