import { request } from 'undici';
import { SubstreamError } from '../../state/index.js';

/** A small client of the admin API, for the CLI commands that act on a running instance. */
export interface ApiOptions {
  url: string;
  token?: string;
  tenant?: string;
}

export class ApiError extends SubstreamError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message, { retriable: status >= 500, context: { status } });
  }
}

export async function callApi(
  options: ApiOptions,
  method: 'GET' | 'PUT' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<unknown> {
  const headers: Record<string, string> = { accept: 'application/fhir+json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.tenant) headers['x-tenant-id'] = options.tenant;
  if (body !== undefined) headers['content-type'] = 'application/fhir+json';
  const response = await request(`${options.url.replace(/\/$/, '')}${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.body.text();
  const parsed: unknown = text.length > 0 ? JSON.parse(text) : undefined;
  if (response.statusCode >= 400) {
    const issue = (parsed as { issue?: { diagnostics?: string }[] } | undefined)?.issue?.[0]?.diagnostics;
    throw new ApiError(
      response.statusCode,
      `${method} ${path} answered ${response.statusCode}: ${issue ?? text}`,
    );
  }
  return parsed;
}

/** The options every API command takes. */
export function apiOptionsOf(flags: { url?: string; token?: string; tenant?: string }): ApiOptions {
  return {
    url: flags.url ?? process.env.SUBSTREAM_URL ?? `http://127.0.0.1:${process.env.PORT ?? '8080'}`,
    ...((flags.token ?? process.env.ADMIN_TOKEN) ? { token: flags.token ?? process.env.ADMIN_TOKEN } : {}),
    ...(flags.tenant ? { tenant: flags.tenant } : {}),
  };
}
