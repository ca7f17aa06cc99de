/** Configuration of the HTTP (rest-hook) sink: one zod schema with defaults and descriptions. */
import { z } from 'zod';

export const httpSinkConfigSchema = z.object({
  connectTimeoutMs: z.number().int().positive().default(5_000).describe('Time allowed to open a connection.'),
  requestTimeoutMs: z
    .number()
    .int()
    .positive()
    .default(10_000)
    .describe('Time allowed for the response headers, and again between body chunks.'),
  connectionsPerEndpoint: z
    .number()
    .int()
    .positive()
    .default(64)
    .describe(
      'Keep-alive connections per endpoint origin. A subscription always uses the same one, so its requests leave in order.',
    ),
  pipelining: z
    .number()
    .int()
    .positive()
    .default(16)
    .describe(
      'Requests in flight at once on one connection (HTTP/1.1 pipelining; 1 = one at a time). The subscriptions sharing a connection share this.',
    ),
  queuePerEndpoint: z
    .number()
    .int()
    .nonnegative()
    .default(10_000)
    .describe('Requests waiting for a connection per endpoint before new ones are deferred.'),
  keepAliveTimeoutMs: z
    .number()
    .int()
    .positive()
    .default(30_000)
    .describe('Idle time before a kept-alive connection closes.'),
  breakerFailures: z
    .number()
    .int()
    .positive()
    .default(5)
    .describe(
      'Consecutive failures of an endpoint with no answer at all (refused, reset, timed out) that open its circuit breaker; error statuses do not count.',
    ),
  breakerHalfOpenAfterMs: z
    .number()
    .int()
    .positive()
    .default(10_000)
    .describe('How long an open breaker refuses requests before letting one through.'),
  endpointAllowlist: z
    .array(z.string().min(1))
    .default([])
    .describe(
      'ENDPOINT_ALLOWLIST: host names (`*.suffix` allowed) or CIDRs that may resolve to loopback, private or link-local addresses.',
    ),
  userAgent: z.string().default('substream').describe('User-Agent header sent with every request.'),
});

export type HttpSinkConfig = z.output<typeof httpSinkConfigSchema>;
export type HttpSinkConfigInput = z.input<typeof httpSinkConfigSchema>;
