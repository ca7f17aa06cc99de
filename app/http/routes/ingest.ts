import type { FastifyInstance } from 'fastify';
import type { ChangeEvent, FhirResource } from '../../../processors/index.js';
import { DecodeError } from '../../../state/index.js';
import { HttpError } from '../operation-outcome.js';
import type { ChangeIntake } from '../ports.js';
import { tenantOf } from './tenant.js';

/** The items of a /changes body: one object, an array, or NDJSON lines. */
function itemsOf(body: unknown): unknown[] {
  if (body === undefined)
    throw new HttpError(400, 'invalid', 'the body is empty: send a ChangeEvent, an array or NDJSON');
  if (Array.isArray(body)) return body;
  if (body !== null && typeof body === 'object' && 'ndjson' in body) {
    const lines = String((body as { ndjson: unknown }).ndjson).split('\n');
    const items: unknown[] = [];
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        items.push(JSON.parse(line));
      } catch (err) {
        throw new HttpError(400, 'invalid', `line ${i + 1} is not valid JSON: ${(err as Error).message}`);
      }
    });
    return items;
  }
  return [body];
}

/** Validates every item before accepting any: a request is taken whole or refused whole. */
async function validateAll(
  intake: ChangeIntake,
  items: unknown[],
  tenant: string | undefined,
): Promise<ChangeEvent[]> {
  const changes: ChangeEvent[] = [];
  for (const [i, item] of items.entries()) {
    try {
      changes.push(await intake.validate(item, tenant));
    } catch (err) {
      if (err instanceof DecodeError) {
        throw new HttpError(
          400,
          'invalid',
          items.length > 1 ? `change ${i + 1}: ${err.message}` : err.message,
        );
      }
      throw err;
    }
  }
  return changes;
}

export function registerIngestRoutes(app: FastifyInstance, intake: ChangeIntake): void {
  app.post('/changes', async (request, reply) => {
    const changes = await validateAll(intake, itemsOf(request.body), tenantOf(request));
    if (changes.length === 0) throw new HttpError(400, 'invalid', 'no changes in the body');
    await intake.submit(changes);
    return reply.code(202).send({ accepted: changes.length });
  });

  // A FHIR server's R4 rest-hook subscription with a payload PUTs [endpoint]/[type]/[id] here.
  app.put<{ Params: { type: string; id: string } }>('/ingest/fhir/:type/:id', async (request, reply) => {
    const resource = request.body as FhirResource | undefined;
    if (!resource || typeof resource !== 'object' || Array.isArray(resource)) {
      throw new HttpError(400, 'invalid', 'the body must be the FHIR resource');
    }
    const [change] = await validateAll(
      intake,
      [{ interaction: 'update', resourceType: request.params.type, id: request.params.id, resource }],
      tenantOf(request),
    );
    await intake.submit([change!]);
    return reply.code(202).send({ accepted: 1 });
  });

  app.delete<{ Params: { type: string; id: string } }>('/ingest/fhir/:type/:id', async (request, reply) => {
    const [change] = await validateAll(
      intake,
      [{ interaction: 'delete', resourceType: request.params.type, id: request.params.id }],
      tenantOf(request),
    );
    await intake.submit([change!]);
    return reply.code(202).send({ accepted: 1 });
  });
}
