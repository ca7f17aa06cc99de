/**
 * A real HTTP server on loopback that records what it receives and answers as the test says.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  /** Never answer (the connection stays open until the receiver drops it). */
  hang?: boolean;
}

export type Responder = (request: Received, index: number) => Answer;

export class HttpReceiver {
  readonly received: Received[] = [];
  /** Requests answered 2xx. */
  readonly accepted: Received[] = [];
  private server: Server | undefined;
  responder: Responder;

  constructor(responder: Responder = () => ({ status: 200 })) {
    this.responder = responder;
  }

  async start(port = 0): Promise<string> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const request: Received = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
        };
        const answer = this.responder(request, this.received.length);
        this.received.push(request);
        if (answer.hang) return;
        if (answer.status >= 200 && answer.status < 300) this.accepted.push(request);
        res.writeHead(answer.status, answer.headers ?? {});
        res.end();
      });
    });
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.server = server;
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  port(): number {
    return (this.server?.address() as AddressInfo).port;
  }

  acceptedEvents(): number[] {
    return this.accepted.map((r) => Number(r.headers['x-substream-event-number']));
  }

  /** Cuts every open connection, as a restart of the subscriber's proxy would. */
  dropConnections(): void {
    this.server?.closeAllConnections();
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
