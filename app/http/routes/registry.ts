import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { FhirResource } from '../../../processors/index.js';
import { HttpError } from '../operation-outcome.js';
import type { ResourceRegistry } from '../ports.js';
import { tenantOf } from './tenant.js';

const ID = /^[A-Za-z0-9\-.]{1,64}$/;

function resourceBody(body: unknown, resourceType: string): FhirResource {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new HttpError(400, 'invalid', `the body must be a ${resourceType} resource (JSON object)`);
  }
  const r = body as FhirResource;
  if (r.resourceType !== resourceType) {
    throw new HttpError(
      400,
      'invalid',
      `resourceType must be ${resourceType}, got ${JSON.stringify(r.resourceType)}`,
      'resourceType',
    );
  }
  return r;
}

function checkId(id: string): void {
  if (!ID.test(id)) throw new HttpError(400, 'invalid', `'${id}' is not a FHIR id ([A-Za-z0-9-.]{1,64})`);
}

/** FHIR REST for one admin table: create, read, update, delete and a plain search. */
export function registerRegistryRoutes(app: FastifyInstance, registry: ResourceRegistry): void {
  const base = `/fhir/${registry.resourceType}`;

  const write = async (resource: FhirResource, tenant: string | undefined) => {
    const result = await registry.put(resource, tenant);
    if (!result.ok)
      throw new HttpError(result.status, result.status === 409 ? 'conflict' : 'processing', result.reason);
    return result;
  };

  app.get(base, async (request, reply) => {
    const resources = await registry.list(tenantOf(request));
    return reply.type('application/fhir+json').send({
      resourceType: 'Bundle',
      type: 'searchset',
      total: resources.length,
      entry: resources.map((resource) => ({
        fullUrl: `${registry.resourceType}/${resource.id}`,
        resource,
        search: { mode: 'match' },
      })),
    });
  });

  app.post(base, async (request, reply) => {
    const resource = resourceBody(request.body, registry.resourceType);
    const result = await write({ ...resource, id: randomUUID() }, tenantOf(request));
    return reply
      .code(201)
      .header('location', `${base}/${result.resource.id}`)
      .type('application/fhir+json')
      .send(result.resource);
  });

  app.get<{ Params: { id: string } }>(`${base}/:id`, async (request, reply) => {
    checkId(request.params.id);
    const resource = await registry.get(request.params.id, tenantOf(request));
    if (!resource)
      throw new HttpError(404, 'not-found', `${registry.resourceType}/${request.params.id} is not known`);
    return reply.type('application/fhir+json').send(resource);
  });

  app.put<{ Params: { id: string } }>(`${base}/:id`, async (request, reply) => {
    checkId(request.params.id);
    const resource = resourceBody(request.body, registry.resourceType);
    if (resource.id !== undefined && resource.id !== request.params.id) {
      throw new HttpError(
        400,
        'invalid',
        `the body's id '${resource.id}' differs from the URL's '${request.params.id}'`,
        'id',
      );
    }
    const result = await write({ ...resource, id: request.params.id }, tenantOf(request));
    return reply
      .code(result.created ? 201 : 200)
      .type('application/fhir+json')
      .send(result.resource);
  });

  app.delete<{ Params: { id: string } }>(`${base}/:id`, async (request, reply) => {
    checkId(request.params.id);
    const existed = await registry.delete(request.params.id, tenantOf(request));
    if (!existed)
      throw new HttpError(404, 'not-found', `${registry.resourceType}/${request.params.id} is not known`);
    return reply.code(204).send();
  });
}
