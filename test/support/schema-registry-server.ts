import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small Confluent-compatible schema registry for tests (a real one cannot be installed here):
 * register, look up by id, latest version, per-subject config. Schemas live in memory. With
 * credentials set, every request needs them (HTTP basic auth), as a secured registry would.
 */
export interface SchemaRegistryServer {
  url: string;
  /** How many schema-by-id lookups were served (the client should cache them). */
  lookups(): number;
  close(): Promise<void>;
}

interface Stored {
  id: number;
  schema: string;
  schemaType?: string;
}

const TYPE = 'application/vnd.schemaregistry.v1+json';

export async function startSchemaRegistryServer(
  options: { username?: string; password?: string } = {},
): Promise<SchemaRegistryServer> {
  const byId = new Map<number, Stored>();
  const subjects = new Map<string, number[]>();
  const configs = new Map<string, string>();
  let lookups = 0;

  const send = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': TYPE });
    res.end(JSON.stringify(body));
  };
  const readBody = async (req: IncomingMessage): Promise<Record<string, unknown>> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  };
  const authorized = (req: IncomingMessage): boolean => {
    if (options.username === undefined) return true;
    const expected = `Basic ${Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64')}`;
    return req.headers.authorization === expected;
  };
  const register = (subject: string, schema: string, schemaType?: string): number => {
    const existing = [...byId.values()].find((s) => s.schema === schema && s.schemaType === schemaType);
    const id = existing?.id ?? byId.size + 1;
    if (!existing) byId.set(id, { id, schema, ...(schemaType ? { schemaType } : {}) });
    const versions = subjects.get(subject) ?? [];
    if (!versions.includes(id)) versions.push(id);
    subjects.set(subject, versions);
    return id;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!authorized(req)) return send(res, 401, { error_code: 401, message: 'Unauthorized' });
    const url = new URL(req.url ?? '/', 'http://localhost');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const method = req.method ?? 'GET';
    if (method === 'GET' && parts[0] === 'schemas' && parts[1] === 'ids' && parts[2]) {
      lookups += 1;
      const s = byId.get(Number(parts[2]));
      if (!s) return send(res, 404, { error_code: 40403, message: 'Schema not found' });
      return send(res, 200, { schema: s.schema, ...(s.schemaType ? { schemaType: s.schemaType } : {}) });
    }
    if (parts[0] === 'config' && parts[1]) {
      if (method === 'PUT') {
        const body = await readBody(req);
        configs.set(parts[1], String(body.compatibility));
        return send(res, 200, { compatibility: body.compatibility });
      }
      const c = configs.get(parts[1]);
      if (!c) return send(res, 404, { error_code: 40401, message: 'Subject not found' });
      return send(res, 200, { compatibilityLevel: c });
    }
    if (parts[0] === 'subjects' && parts[1]) {
      const subject = parts[1];
      if (method === 'POST' && parts[2] === 'versions') {
        const body = await readBody(req);
        const id = register(
          subject,
          String(body.schema),
          typeof body.schemaType === 'string' ? body.schemaType : undefined,
        );
        return send(res, 200, { id });
      }
      const versions = subjects.get(subject);
      if (!versions) return send(res, 404, { error_code: 40401, message: 'Subject not found' });
      if (method === 'GET' && parts[2] === 'versions' && parts[3]) {
        const n = parts[3] === 'latest' ? versions.length : Number(parts[3]);
        const s = byId.get(versions[n - 1] ?? -1);
        if (!s) return send(res, 404, { error_code: 40402, message: 'Version not found' });
        return send(res, 200, {
          subject,
          version: n,
          id: s.id,
          schema: s.schema,
          ...(s.schemaType ? { schemaType: s.schemaType } : {}),
        });
      }
    }
    return send(res, 404, { error_code: 404, message: `no route for ${method} ${url.pathname}` });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) =>
      send(res, 500, { error_code: 500, message: (e as Error).message }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    lookups: () => lookups,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
