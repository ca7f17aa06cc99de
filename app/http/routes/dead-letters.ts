import type { FastifyInstance } from 'fastify';
import { HttpError } from '../operation-outcome.js';
import type { DeadLetterService } from '../ports.js';
import { tenantOf } from './tenant.js';

/** Dead letters: list them, and redrive a subscription's undelivered notifications. */
export function registerDeadLetterRoutes(app: FastifyInstance, service: DeadLetterService | undefined): void {
  const available = (): DeadLetterService => {
    if (!service) throw new HttpError(404, 'not-supported', 'dead letters are served by processor instances');
    return service;
  };
  app.get<{ Params: { source: string }; Querystring: { subscription?: string; limit?: string } }>(
    '/admin/dlq/:source',
    async (request) => {
      const { source } = request.params;
      if (source !== 'changes' && source !== 'deliveries') {
        throw new HttpError(404, 'not-found', `no dead-letter source '${source}': changes or deliveries`);
      }
      const limit = request.query.limit === undefined ? 100 : Number(request.query.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
        throw new HttpError(400, 'invalid', 'limit must be an integer from 1 to 10000', 'limit');
      }
      const tenant = tenantOf(request);
      return available().list(source, {
        limit,
        ...(request.query.subscription ? { subscriptionId: request.query.subscription } : {}),
        ...(tenant !== undefined ? { tenant } : {}),
      });
    },
  );
  app.post<{ Params: { id: string } }>('/admin/dlq/deliveries/:id/redrive', async (request, reply) => {
    const count = await available().redrive(request.params.id, tenantOf(request));
    return reply.code(202).send({ redriven: count });
  });
}
