/**
 * The service's public HTTP surface as the load runner uses it: register SubscriptionTopics and
 * Subscriptions (`PUT /fhir/{type}/{id}`), remove them, and wait until the service is ready.
 */
import { Agent, request } from 'undici';
import type { FhirResource } from '../../processors/index.js';
import { TransportError } from '../../state/index.js';

export interface ServiceClientOptions {
  baseUrl: string;
  token?: string;
  /** Requests in flight at once when registering many resources. */
  concurrency?: number;
}

export interface ServiceClient {
  put(resource: FhirResource): Promise<void>;
  putAll(resources: readonly FhirResource[]): Promise<void>;
  remove(resourceType: string, id: string): Promise<void>;
  /** Polls `/readyz` until it answers 200, or throws after `timeoutMs`. */
  waitReady(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export function serviceClient(options: ServiceClientOptions): ServiceClient {
  const base = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
  const concurrency = options.concurrency ?? 16;
  const dispatcher = new Agent({ connections: concurrency, keepAliveTimeout: 30_000 });
  const headers: Record<string, string> = { 'content-type': 'application/fhir+json' };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;

  const call = async (method: 'PUT' | 'DELETE', path: string, body?: string): Promise<void> => {
    const url = new URL(path, base);
    const response = await request(url, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
      dispatcher,
    });
    const text = await response.body.text();
    if (response.statusCode >= 300 && !(method === 'DELETE' && response.statusCode === 404)) {
      throw new TransportError(
        `${method} ${url.pathname} answered ${response.statusCode}: ${text.slice(0, 300)}`,
        {
          retriable: response.statusCode >= 500,
          context: { status: response.statusCode },
        },
      );
    }
  };
  const put = (resource: FhirResource): Promise<void> =>
    call(
      'PUT',
      `fhir/${resource.resourceType}/${encodeURIComponent(String(resource.id))}`,
      JSON.stringify(resource),
    );

  return {
    put,
    async putAll(resources) {
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < resources.length) await put(resources[next++] as FhirResource);
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, resources.length) }, worker));
    },
    remove: (resourceType, id) => call('DELETE', `fhir/${resourceType}/${encodeURIComponent(id)}`),
    async waitReady(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      let last = 'no answer';
      while (Date.now() < deadline) {
        try {
          const response = await request(new URL('readyz', base), { dispatcher });
          await response.body.text();
          if (response.statusCode === 200) return;
          last = `status ${response.statusCode}`;
        } catch (error) {
          last = error instanceof Error ? error.message : String(error);
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      throw new TransportError(`service at ${base} not ready after ${timeoutMs} ms (${last})`, {
        retriable: true,
      });
    },
    close: () => dispatcher.close(),
  };
}
