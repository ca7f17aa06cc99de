import type { FastifyInstance } from 'fastify';
import { HttpError } from '../operation-outcome.js';
import type { EventsContent, StatusService } from '../ports.js';
import { tenantOf } from './tenant.js';

function optionalNumber(name: string, value: unknown): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new HttpError(400, 'invalid', `${name} must be a non-negative integer`, name);
  return n;
}

const CONTENTS: readonly EventsContent[] = ['empty', 'id-only', 'full-resource'];

/** `$status` and `$events` on one subscription. */
export function registerStatusRoutes(app: FastifyInstance, status: StatusService): void {
  app.get<{ Params: { id: string } }>('/fhir/Subscription/:id/$status', async (request, reply) => {
    const resource = await status.status(request.params.id, tenantOf(request));
    if (!resource) throw new HttpError(404, 'not-found', `Subscription/${request.params.id} is not known`);
    return reply.type('application/fhir+json').send(resource);
  });

  app.get<{ Params: { id: string }; Querystring: Record<string, string | undefined> }>(
    '/fhir/Subscription/:id/$events',
    async (request, reply) => {
      const q = request.query;
      const since = optionalNumber('eventsSinceNumber', q.eventsSinceNumber);
      const until = optionalNumber('eventsUntilNumber', q.eventsUntilNumber);
      if (since !== undefined && until !== undefined && until < since) {
        throw new HttpError(400, 'invalid', 'eventsUntilNumber must not be below eventsSinceNumber');
      }
      if (q.content !== undefined && !CONTENTS.includes(q.content as EventsContent)) {
        throw new HttpError(400, 'invalid', 'content must be empty, id-only or full-resource', 'content');
      }
      const authorization = request.headers.authorization;
      const bundle = await status.events(
        request.params.id,
        {
          ...(since !== undefined ? { eventsSinceNumber: since } : {}),
          ...(until !== undefined ? { eventsUntilNumber: until } : {}),
          ...(q.content ? { content: q.content as EventsContent } : {}),
        },
        tenantOf(request),
        {
          url: request.url,
          ...(authorization ? { authorization } : {}),
          forwarded: request.headers['x-substream-forwarded'] !== undefined,
        },
      );
      if (!bundle) throw new HttpError(404, 'not-found', `Subscription/${request.params.id} is not known`);
      return reply.type('application/fhir+json').send(bundle);
    },
  );
}
