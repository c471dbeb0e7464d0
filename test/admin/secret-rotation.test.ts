import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applicationView, applicationWithSecret } from '../../src/admin/schemas.ts';
import { FakeClock } from '../../src/core/clock.ts';
import { basicAuth, expectJsonError, expectTokens, postToken } from '../support/flow-helpers.ts';
import { AdminApi, adminToken, expectFieldError, startAdminServer } from '../support/admin.ts';
import type { TestServer } from '../support/server.ts';

/**
 * Rotating a client secret with a grace period (as Keycloak's "rotated secret" does): the new secret works at once,
 * the old one keeps working until the grace ends and is refused with invalid_client (RFC 6749 §5.2) from then on.
 * A fake clock moves time; nothing waits.
 */
describe('admin API: secret rotation with a grace period', () => {
  let server: TestServer;
  let api: AdminApi;
  const clock = new FakeClock(1_800_000_000);

  beforeEach(async () => {
    clock.current = 1_800_000_000;
    server = await startAdminServer({}, { clock });
    api = new AdminApi(server, await adminToken(server));
  });

  afterEach(async () => {
    await server.close();
  });

  const ccWith = (secret: string) => postToken(server, { grant_type: 'client_credentials' }, { authorization: basicAuth('svc', secret) });

  async function createService(): Promise<string> {
    const res = await api.post('/applications', { name: 'Service', id: 'svc', grantTypes: ['client_credentials'], responseTypes: [] });
    expect(res.status, res.text).toBe(201);
    return applicationWithSecret.parse(res.body).clientSecret ?? '';
  }

  it('keeps the old secret working until the grace ends, then refuses it with invalid_client (RFC 6749 §5.2); the new one works at once', async () => {
    const old = await createService();
    await expectTokens(await ccWith(old)); // the client is now in the client cache, with its old secret only
    const rotated = await api.post('/applications/svc/rotate-secret', { graceSeconds: 600 });
    expect(rotated.status, rotated.text).toBe(200);
    const { clientSecret: fresh = '', application } = applicationWithSecret.parse(rotated.body);
    expect(application.previousSecretExpiresAt).toBe(new Date((1_800_000_000 + 600) * 1000).toISOString());
    await expectTokens(await ccWith(fresh));
    await expectTokens(await ccWith(old));
    // Form-body authentication (client_secret_post) is the same check.
    await expectTokens(await postToken(server, { grant_type: 'client_credentials', client_id: 'svc', client_secret: old }));
    clock.advance(599);
    await expectTokens(await ccWith(old));
    clock.advance(1);
    await expectJsonError(await ccWith(old), 401, 'invalid_client');
    await expectTokens(await ccWith(fresh));
    // Read back: the grace is over, so the application no longer shows it.
    expect(applicationView.parse((await api.get('/applications/svc')).body).previousSecretExpiresAt).toBeNull();
  });

  it('without a grace period the old secret is refused at once (invalid_client, 401)', async () => {
    const old = await createService();
    const rotated = applicationWithSecret.parse((await api.post('/applications/svc/rotate-secret')).body);
    expect(rotated.application.previousSecretExpiresAt).toBeNull();
    await expectJsonError(await ccWith(old), 401, 'invalid_client');
    await expectTokens(await ccWith(rotated.clientSecret ?? ''));
  });

  it('a second rotation ends the first grace: only the secret just replaced keeps working', async () => {
    const first = await createService();
    const second = applicationWithSecret.parse((await api.post('/applications/svc/rotate-secret', { graceSeconds: 600 })).body).clientSecret ?? '';
    const third = applicationWithSecret.parse((await api.post('/applications/svc/rotate-secret', { graceSeconds: 600 })).body).clientSecret ?? '';
    await expectJsonError(await ccWith(first), 401, 'invalid_client');
    await expectTokens(await ccWith(second));
    await expectTokens(await ccWith(third));
  });

  it('refuses a grace period that is negative, not a whole number, or longer than 7 days (422, naming the field)', async () => {
    await createService();
    for (const graceSeconds of [-1, 1.5, 'soon', 604_801]) expectFieldError(await api.post('/applications/svc/rotate-secret', { graceSeconds }), 'graceSeconds');
  });

  it('records the rotation with the end of the grace, and a use of the old secret during the grace, never a secret', async () => {
    const old = await createService();
    const fresh = applicationWithSecret.parse((await api.post('/applications/svc/rotate-secret', { graceSeconds: 600 })).body).clientSecret ?? '';
    await expectTokens(await ccWith(old));
    await expectTokens(await ccWith(old));
    const res = await api.get('/audit-events?client=svc');
    const events = (res.body as { items: { type: string; details: Record<string, unknown> }[] }).items;
    const rotation = events.find((e) => e.type === 'client.secret_rotated');
    expect(rotation?.details).toMatchObject({ graceSeconds: 600, previousSecretExpiresAt: new Date((1_800_000_000 + 600) * 1000).toISOString() });
    // Used twice within a minute: recorded once, so a busy client does not flood the log.
    expect(events.filter((e) => e.type === 'client.previous_secret_used')).toHaveLength(1);
    expect(res.text).not.toContain(old);
    expect(res.text).not.toContain(fresh);
  });
});
