import type { FastifyInstance } from 'fastify';
import type { HttpPorts } from '../ports.js';

export function registerOpsRoutes(
  app: FastifyInstance,
  ports: Pick<HttpPorts, 'metrics' | 'readiness'>,
): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const state = ports.readiness.ready();
    return reply.code(state.ready ? 200 : 503).send({
      status: state.ready ? 'ready' : 'not-ready',
      ...(state.reason ? { reason: state.reason } : {}),
    });
  });
  app.get('/metrics', async (_request, reply) =>
    reply.type(ports.metrics.contentType).send(await ports.metrics.metrics()),
  );
}
