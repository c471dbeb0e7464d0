import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationWithSecret } from '../../src/admin/schemas.ts';
import { applicationCreatePage, EMPTY_APPLICATION_FORM } from '../../src/console/views/applications.ts';
import { AdminApi, adminToken, startAdminServer } from '../support/admin.ts';
import type { TestServer } from '../support/server.ts';

/** The device grant type (RFC 8628) is chosen where grant types are chosen: the admin API, and the console's form. */

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

describe('device grant type in the admin API and the console', () => {
  let server: TestServer;
  let api: AdminApi;

  beforeAll(async () => {
    server = await startAdminServer();
    api = new AdminApi(server, await adminToken(server));
  });
  afterAll(async () => {
    await server.close();
  });

  it('creates a public TV application with only the device grant, and the device authorization endpoint accepts it', async () => {
    const res = await api.post('/applications', { name: 'TV', id: 'tv', type: 'public', grantTypes: [DEVICE_GRANT], responseTypes: [] });
    expect(res.status, res.text).toBe(201);
    expect(applicationWithSecret.parse(res.body).application.grantTypes).toEqual([DEVICE_GRANT]);
    const started = await fetch(`${server.url}/oauth2/device_authorization`, { method: 'POST', body: new URLSearchParams({ client_id: 'tv' }) });
    expect(started.status).toBe(200);
  });

  it('offers the device grant in the console application form', async () => {
    const page = applicationCreatePage({
      form: EMPTY_APPLICATION_FORM,
      errors: {},
      csrf: 'csrf',
      context: { scopes: [], implicit: false, defaults: { accessTokenTtl: 3600, refreshTokenTtl: 86400, codeTtl: 60 }, idTokenAlg: 'RS256', resources: [] },
    });
    expect(page.toString()).toContain(`value="${DEVICE_GRANT}"`);
  });
});
