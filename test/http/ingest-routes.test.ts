import { describe, expect, it } from 'vitest';
import { buildHttpServer } from '../../app/http/index.js';
import { fakePorts } from './fake-ports.js';

const change = (id: string) => ({
  interaction: 'create',
  resourceType: 'Patient',
  id,
  resource: { resourceType: 'Patient', id },
});

describe('change ingest routes', () => {
  it('accepts one change, an array, and NDJSON', async () => {
    const ports = fakePorts();
    const app = buildHttpServer({ ports, bodyLimit: 1 << 20 });
    expect((await app.inject({ method: 'POST', url: '/changes', payload: change('1') })).statusCode).toBe(
      202,
    );
    expect(
      (await app.inject({ method: 'POST', url: '/changes', payload: [change('2'), change('3')] })).json(),
    ).toEqual({ accepted: 2 });
    const ndjson = `${JSON.stringify(change('4'))}\n${JSON.stringify(change('5'))}\n`;
    const res = await app.inject({
      method: 'POST',
      url: '/changes',
      headers: { 'content-type': 'application/x-ndjson' },
      payload: ndjson,
    });
    expect(res.json()).toEqual({ accepted: 2 });
    expect(ports.submitted.map((c) => c.id)).toEqual(['1', '2', '3', '4', '5']);
  });

  it('refuses the whole request when one change is invalid, naming it', async () => {
    const ports = fakePorts();
    const app = buildHttpServer({ ports, bodyLimit: 1 << 20 });
    const res = await app.inject({
      method: 'POST',
      url: '/changes',
      payload: [change('1'), { interaction: 'create' }],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ issue: { diagnostics: string }[] }>().issue[0]?.diagnostics).toMatch(/^change 2: /);
    expect(ports.submitted).toEqual([]);
  });

  it('takes PUT and DELETE from a FHIR server rest-hook', async () => {
    const ports = fakePorts();
    const app = buildHttpServer({ ports, bodyLimit: 1 << 20 });
    const put = await app.inject({
      method: 'PUT',
      url: '/ingest/fhir/Patient/7',
      payload: { resourceType: 'Patient', id: '7' },
    });
    expect(put.statusCode).toBe(202);
    expect((await app.inject({ method: 'DELETE', url: '/ingest/fhir/Patient/7' })).statusCode).toBe(202);
    expect(ports.submitted.map((c) => c.interaction)).toEqual(['update', 'delete']);
  });
});
