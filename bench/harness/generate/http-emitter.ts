/** Emits changes to the service's HTTP ingest: `POST {baseUrl}/changes` with an NDJSON body per batch. */
import { Agent, request } from 'undici';
import { TransportError } from '../../../state/index.js';
import type { ChangeEmitter } from './emitter.js';

export interface HttpEmitterOptions {
  baseUrl: string;
  /** Bearer token when the service has ADMIN_TOKEN set. */
  token?: string;
  connections?: number;
}

export function httpEmitter(options: HttpEmitterOptions): ChangeEmitter {
  const url = new URL('changes', options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
  const dispatcher = new Agent({ connections: options.connections ?? 8, keepAliveTimeout: 30_000 });
  const headers: Record<string, string> = { 'content-type': 'application/x-ndjson' };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  return {
    connect: async () => undefined,
    async send(batch) {
      const body = batch.map((c) => JSON.stringify(c.value)).join('\n');
      const response = await request(url, { method: 'POST', headers, body, dispatcher });
      const text = await response.body.text();
      if (response.statusCode >= 300) {
        throw new TransportError(`POST ${url.pathname} answered ${response.statusCode}`, {
          retriable: response.statusCode >= 500,
          context: { status: response.statusCode, body: text.slice(0, 500) },
        });
      }
    },
    close: () => dispatcher.close(),
  };
}
