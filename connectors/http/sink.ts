/**
 * The rest-hook sink: one undici Agent (keep-alive pools per origin) and, per endpoint origin, a
 * concurrency limit and a circuit breaker (cockatiel). Every write is one request; its answer is
 * classified and returned. The sink never retries: the delivery stage decides when to try again.
 */
import { Agent } from 'undici';
import {
  BrokenCircuitError,
  BulkheadRejectedError,
  ConsecutiveBreaker,
  bulkhead,
  circuitBreaker,
  handleWhenResult,
  wrap,
  type IPolicy,
} from 'cockatiel';
import { isIP } from 'node:net';
import { NotConnectedError, type Sink, type SinkNotification, type SinkResult } from '../sink.js';
import { AddressRefusedError, createAddressGuard, type AddressGuard } from './address-guard.js';
import { classifyFailure, classifyStatus } from './classify.js';
import { httpSinkConfigSchema, type HttpSinkConfig, type HttpSinkConfigInput } from './config.js';
import { buildRequest, InvalidEndpointError, type HttpRequest } from './request.js';

export interface HttpSinkOptions {
  config?: HttpSinkConfigInput;
  /** The per-subscription HMAC secret, when the subscription asks for signed requests. */
  secretFor?: (subscriptionId: string) => string | undefined;
  now?: () => number;
}

export class HttpSink implements Sink {
  readonly name = 'http';
  readonly config: HttpSinkConfig;
  private readonly guard: AddressGuard;
  private readonly secretFor: (subscriptionId: string) => string | undefined;
  private readonly now: () => number;
  private agent: Agent | undefined;
  private readonly policies = new Map<string, IPolicy>();
  /** Verdicts on IP-literal hosts; the allowlist does not change while the sink lives. */
  private readonly literalVerdicts = new Map<string, boolean>();
  private closing: Promise<void> | undefined;

  constructor(options: HttpSinkOptions = {}) {
    this.config = httpSinkConfigSchema.parse(options.config ?? {});
    this.guard = createAddressGuard(this.config.endpointAllowlist);
    this.secretFor = options.secretFor ?? (() => undefined);
    this.now = options.now ?? Date.now;
  }

  async connect(): Promise<void> {
    if (this.agent !== undefined) return;
    this.closing = undefined;
    this.agent = new Agent({
      connections: this.config.connectionsPerEndpoint,
      keepAliveTimeout: this.config.keepAliveTimeoutMs,
      headersTimeout: this.config.requestTimeoutMs,
      bodyTimeout: this.config.requestTimeoutMs,
      connect: { timeout: this.config.connectTimeoutMs, lookup: this.guard.lookup },
    });
  }

  isConnected(): boolean {
    return this.agent !== undefined;
  }

  async write(notification: SinkNotification): Promise<SinkResult> {
    const agent = this.agent;
    if (agent === undefined) throw new NotConnectedError(this.name);
    let request: HttpRequest;
    try {
      const secret = this.secretFor(notification.subscriptionId);
      request = buildRequest(notification, {
        userAgent: this.config.userAgent,
        nowSeconds: Math.floor(this.now() / 1000),
        ...(secret === undefined ? {} : { secret }),
      });
      this.checkLiteralAddress(request.url);
    } catch (err) {
      if (err instanceof InvalidEndpointError || err instanceof AddressRefusedError) {
        return { kind: 'permanent', error: err.message };
      }
      throw err;
    }
    try {
      return await this.policyFor(request.url.origin).execute(() => this.send(agent, request));
    } catch (err) {
      if (err instanceof BrokenCircuitError)
        return { kind: 'retriable', error: `circuit open for ${request.url.host}` };
      if (err instanceof BulkheadRejectedError)
        return { kind: 'retriable', error: `too many requests queued for ${request.url.host}` };
      throw err;
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      const agent = this.agent;
      this.agent = undefined;
      this.policies.clear();
      await agent?.close();
    })();
    return this.closing;
  }

  private async send(agent: Agent, request: HttpRequest): Promise<SinkResult> {
    try {
      const response = await agent.request({
        origin: request.url.origin,
        path: `${request.url.pathname}${request.url.search}`,
        method: request.method,
        headers: request.headers,
        body: request.body,
      });
      // The body is not needed, but it must be read for the connection to be reused.
      await response.body.dump();
      const retryAfter = response.headers['retry-after'];
      return classifyStatus(
        response.statusCode,
        Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
        this.now(),
      );
    } catch (err) {
      return classifyFailure(
        err instanceof Error && err.cause instanceof AddressRefusedError ? err.cause : err,
      );
    }
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

  private policyFor(origin: string): IPolicy {
    let policy = this.policies.get(origin);
    if (policy === undefined) {
      const breaker = circuitBreaker(
        handleWhenResult((result) => (result as SinkResult).kind === 'retriable'),
        {
          halfOpenAfter: this.config.breakerHalfOpenAfterMs,
          breaker: new ConsecutiveBreaker(this.config.breakerFailures),
        },
      );
      policy = wrap(breaker, bulkhead(this.config.connectionsPerEndpoint, this.config.queuePerEndpoint));
      this.policies.set(origin, policy);
    }
    return policy;
  }
}
