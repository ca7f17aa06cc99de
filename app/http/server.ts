import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { Logger } from 'pino';
import { bearerGuard } from './auth.js';
import { HttpError, operationOutcome } from './operation-outcome.js';
import type { HttpPorts } from './ports.js';
import { registerDeadLetterRoutes } from './routes/dead-letters.js';
import { registerIngestRoutes } from './routes/ingest.js';
import { registerOpsRoutes } from './routes/ops.js';
import { registerRegistryRoutes } from './routes/registry.js';
import { registerStatusRoutes } from './routes/status.js';

export interface HttpServerOptions {
  ports: HttpPorts;
  adminToken?: string;
  /** Largest request body accepted (bytes). */
  bodyLimit: number;
  logger?: Logger;
}

const FHIR_JSON = 'application/fhir+json';

/** The HTTP API: FHIR admin routes, change ingest, $status, metrics and health. */
export function buildHttpServer(options: HttpServerOptions): FastifyInstance {
  // pino's Logger is fastify's logger; the cast only widens it to the base logger type the routes use.
  // Requests are not logged one by one (info); errors still are.
  const logger = options.logger?.child({ component: 'http' }, { level: 'warn' }) as
    FastifyBaseLogger | undefined;
  const app: FastifyInstance = Fastify({
    bodyLimit: options.bodyLimit,
    ...(logger ? { loggerInstance: logger } : { logger: false }),
  });

  const parseJson = (
    _req: FastifyRequest,
    body: string,
    done: (err: Error | null, value?: unknown) => void,
  ) => {
    if (body.length === 0) return done(null, undefined);
    try {
      done(null, JSON.parse(body));
    } catch (err) {
      done(new HttpError(400, 'invalid', `the body is not valid JSON: ${(err as Error).message}`));
    }
  };
  app.removeContentTypeParser(['application/json']);
  app.addContentTypeParser(['application/json', FHIR_JSON], { parseAs: 'string' }, parseJson);
  app.addContentTypeParser(
    ['application/x-ndjson', 'application/ndjson', 'application/fhir+ndjson'],
    { parseAs: 'string' },
    (_req, body, done) => done(null, { ndjson: body }),
  );

  const guard = bearerGuard(options.adminToken);
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0] ?? '';
    if (
      path.startsWith('/fhir') ||
      path.startsWith('/changes') ||
      path.startsWith('/ingest') ||
      path.startsWith('/admin')
    ) {
      guard(request.headers.authorization);
    }
  });

  app.setErrorHandler(
    (error: Error & { statusCode?: number; code?: string }, _request, reply: FastifyReply) => {
      if (error instanceof HttpError) {
        return reply
          .code(error.status)
          .type(FHIR_JSON)
          .send(operationOutcome(error.code, error.message, error.expression));
      }
      const status =
        error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
      if (status === 500) options.logger?.error({ err: error }, 'request failed');
      const message = status === 500 ? 'internal error; see the server log' : error.message;
      return reply
        .code(status)
        .type(FHIR_JSON)
        .send(operationOutcome(status === 500 ? 'exception' : 'invalid', message));
    },
  );
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .type(FHIR_JSON)
      .send(operationOutcome('not-found', `no route for ${request.method} ${request.url.split('?')[0]}`)),
  );

  registerOpsRoutes(app, options.ports);
  registerRegistryRoutes(app, options.ports.subscriptions);
  registerRegistryRoutes(app, options.ports.topics);
  registerStatusRoutes(app, options.ports.status);
  registerIngestRoutes(app, options.ports.intake);
  registerDeadLetterRoutes(app, options.ports.deadLetters);
  return app;
}
