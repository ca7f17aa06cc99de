import type { FastifyRequest } from 'fastify';

/** The tenant a request acts for (X-Tenant-Id header); absent for single-tenant use. */
export function tenantOf(request: FastifyRequest): string | undefined {
  const value = request.headers['x-tenant-id'];
  const tenant = Array.isArray(value) ? value[0] : value;
  return tenant && tenant.length > 0 ? tenant : undefined;
}
