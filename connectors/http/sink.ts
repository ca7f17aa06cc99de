/**
 * The rest-hook sink. Per endpoint origin: `connectionsPerEndpoint` keep-alive connections (undici
 * Clients, HTTP/1.1 pipelining up to `pipelining` requests each) and a circuit breaker (cockatiel).
 * A subscription always uses the same connection of its endpoint, so requests it issues together
 * leave, and reach the subscriber, in the order they were issued. Every write is one request; its
 * answer is classified and returned. The sink never retries: the delivery stage decides when to try
 * again. A request the breaker refuses is `deferred` (not an attempt).
 */
import { Client, type Dispatcher } from 'undici';
import {
  BrokenCircuitError,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhenResult,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import { isIP } from 'node:net';
import { NotConnectedError, type Sink, type SinkNotification, type SinkResult } from '../sink.js';
import { AddressRefusedError, createAddressGuard, type AddressGuard } from './address-guard.js';
import { classifyFailure, classifyStatus } from './classify.js';
import { httpSinkConfigSchema, type HttpSinkConfig, type HttpSinkConfigInput } from './config.js';
import { InvalidEndpointError, requestHeaders, RequestTargets, type RequestTarget } from './request.js';

export interface HttpSinkOptions {
  config?: HttpSinkConfigInput;
  /** The per-subscription HMAC secret, when the subscription asks for signed requests. */
  secretFor?: (subscriptionId: string, tenant?: string) => string | undefined;
  now?: () => number;
}

interface Endpoint {
  readonly origin: string;
  readonly clients: (Client | undefined)[];
  readonly breaker: CircuitBreakerPolicy;
  /** Requests issued and not yet answered. */
  outstanding: number;
}

export class HttpSink implements Sink {
  readonly name = 'http';
  readonly config: HttpSinkConfig;
  /** Writes of one subscription issued together are kept in order (one connection per subscription). */
  readonly orderedWindow = Number.POSITIVE_INFINITY;
  private readonly guard: AddressGuard;
  private readonly secretFor: (subscriptionId: string, tenant?: string) => string | undefined;
  private readonly now: () => number;
  private readonly targets: RequestTargets;
  private readonly maxOutstanding: number;
  private open = false;
  private readonly endpoints = new Map<string, Endpoint>();
  /** Verdicts on IP-literal hosts; the allowlist does not change while the sink lives. */
  private readonly literalVerdicts = new Map<string, boolean>();
  private closing: Promise<void> | undefined;

  constructor(options: HttpSinkOptions = {}) {
    this.config = httpSinkConfigSchema.parse(options.config ?? {});
    this.guard = createAddressGuard(this.config.endpointAllowlist);
    this.secretFor = options.secretFor ?? (() => undefined);
    this.now = options.now ?? Date.now;
    this.targets = new RequestTargets(this.config.userAgent);
    this.maxOutstanding =
      this.config.connectionsPerEndpoint * this.config.pipelining + this.config.queuePerEndpoint;
  }

  async connect(): Promise<void> {
    if (this.open) return;
    await this.closing;
    this.closing = undefined;
    this.open = true;
  }

  isConnected(): boolean {
    return this.open;
  }

  async write(notification: SinkNotification): Promise<SinkResult> {
    if (!this.open) throw new NotConnectedError(this.name);
    let target: RequestTarget;
    try {
      target = this.targets.of(notification);
      this.checkLiteralAddress(target.url);
    } catch (err) {
      if (err instanceof InvalidEndpointError || err instanceof AddressRefusedError) {
        return { kind: 'permanent', error: err.message };
      }
      throw err;
    }
    const endpoint = this.endpointFor(target.origin);
    if (endpoint.outstanding >= this.maxOutstanding) {
      return { kind: 'deferred', error: `too many requests queued for ${target.url.host}` };
    }
    const body = notification.body ?? '';
    const secret = this.secretFor(notification.subscriptionId, notification.tenant);
    const request: Dispatcher.DispatchOptions = {
      path: target.path,
      method: notification.method ?? 'POST',
      headers: requestHeaders(target, notification, body, {
        secret,
        nowSeconds: Math.floor(this.now() / 1000),
      }),
      body,
      // Deliveries carry their own de-duplication id, so they may be pipelined and re-sent.
      idempotent: true,
      blocking: false,
    };
    const client = this.clientFor(endpoint, notification.subscriptionId);
    endpoint.outstanding += 1;
    try {
      return await endpoint.breaker.execute(() => this.send(client, request));
    } catch (err) {
      // Not tried at all: the subscriber's budget of attempts is not touched, only its time runs.
      if (err instanceof BrokenCircuitError)
        return {
          kind: 'deferred',
          error: `circuit open for ${target.url.host}`,
          retryAfterMs: this.config.breakerHalfOpenAfterMs,
        };
      throw err;
    } finally {
      endpoint.outstanding -= 1;
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.open = false;
      const clients = [...this.endpoints.values()].flatMap((e) => e.clients);
      this.endpoints.clear();
      await Promise.all(clients.map((c) => c?.close()));
    })();
    return this.closing;
  }

  /**
   * One request through undici's dispatcher with a handler that keeps only the status and
   * Retry-After: no response stream is built, the body is dropped as it arrives.
   */
  private send(client: Client, request: Dispatcher.DispatchOptions): Promise<SinkResult> {
    return new Promise<SinkResult>((resolve) => {
      let statusCode = 0;
      let retryAfter: string | undefined;
      client.dispatch(request, {
        onConnect: () => undefined,
        onHeaders: (status, rawHeaders) => {
          statusCode = status;
          if (status === 408 || status === 429 || status >= 500) retryAfter = retryAfterOf(rawHeaders);
          return true;
        },
        onData: () => true,
        onComplete: () => resolve(classifyStatus(statusCode, retryAfter, this.now())),
        onError: (err) =>
          resolve(classifyFailure(err.cause instanceof AddressRefusedError ? err.cause : err)),
      });
    });
  }

  private endpointFor(origin: string): Endpoint {
    let endpoint = this.endpoints.get(origin);
    if (endpoint === undefined) {
      endpoint = {
        origin,
        clients: new Array<Client | undefined>(this.config.connectionsPerEndpoint).fill(undefined),
        // Only failures with no answer at all (refused, reset, timed out) say the endpoint is down
        // for everyone. A status such as 503 may be about one subscription: that lane backs off on
        // its own, and the others on the same origin go on.
        breaker: circuitBreaker(
          handleWhenResult((result) => {
            const r = result as SinkResult;
            return r.kind === 'retriable' && r.statusCode === undefined;
          }),
          {
            halfOpenAfter: this.config.breakerHalfOpenAfterMs,
            breaker: new ConsecutiveBreaker(this.config.breakerFailures),
          },
        ),
        outstanding: 0,
      };
      this.endpoints.set(origin, endpoint);
    }
    return endpoint;
  }

  /** The subscription's connection to the endpoint: always the same one, so its requests stay in order. */
  private clientFor(endpoint: Endpoint, subscriptionId: string): Client {
    const index = hash(subscriptionId) % endpoint.clients.length;
    let client = endpoint.clients[index];
    if (client === undefined || client.destroyed || client.closed) {
      client = new Client(endpoint.origin, {
        pipelining: this.config.pipelining,
        keepAliveTimeout: this.config.keepAliveTimeoutMs,
        headersTimeout: this.config.requestTimeoutMs,
        bodyTimeout: this.config.requestTimeoutMs,
        connect: { timeout: this.config.connectTimeoutMs, lookup: this.guard.lookup },
      });
      endpoint.clients[index] = client;
    }
    return client;
  }

  /** Name resolution is guarded by the lookup hook; an IP literal never reaches it, so check it here. */
  private checkLiteralAddress(url: URL): void {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    let allowed = this.literalVerdicts.get(host);
    if (allowed === undefined) {
      allowed = isIP(host) === 0 || this.guard.allows(host, host);
      if (this.literalVerdicts.size < 10_000) this.literalVerdicts.set(host, allowed);
    }
    if (!allowed) throw new AddressRefusedError(url.hostname, host);
  }
}

function retryAfterOf(rawHeaders: Buffer[]): string | undefined {
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toString('latin1').toLowerCase() === 'retry-after') {
      return rawHeaders[i + 1]!.toString('latin1');
    }
  }
  return undefined;
}

/** FNV-1a: spreads subscription ids over the endpoint's connections. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
