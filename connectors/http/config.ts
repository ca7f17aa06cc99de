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
    .describe('Keep-alive connections per endpoint origin; also the concurrency limit per endpoint.'),
  queuePerEndpoint: z
    .number()
    .int()
    .nonnegative()
    .default(10_000)
    .describe('Requests waiting for a connection per endpoint before new ones are refused as retriable.'),
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
    .describe('Consecutive retriable failures of an endpoint that open its circuit breaker.'),
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
