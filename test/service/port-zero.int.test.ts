/** PORT 0 lets the system pick a free port: the running service reports the port it is on. */
import { afterAll, describe, expect, it } from 'vitest';
import { call, ServiceFixture } from '../support/service.js';

const fixture = new ServiceFixture({ kafka: false });

afterAll(() => fixture.cleanup());

describe('PORT 0', () => {
  it('reports the port the system chose in the service url', async () => {
    const service = await fixture.start('all', await fixture.config({ PORT: 0 }));
    expect(new URL(service.url).port).not.toBe('0');
    expect((await call(service.url, 'GET', '/healthz')).status).toBe(200);
  });
});
