import * as oauth from 'oauth4webapi';
import type { ConfigInput } from '../../../src/config/schema.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, expectJsonError, post } from '../../support/flow-helpers.ts';
import { startServer, type TestServer } from '../../support/server.ts';
import { UserAgent } from '../../support/user-agent.ts';
import { DEVICE_GRANT, none, openDevicePage, tv } from '../device/helpers.ts';
import { proofKey, type ProofKey } from '../dpop/proofs.ts';
import { API_SECRET, apiRequest, discover, insecure, JWT_API, jwtParts, OPAQUE_API, resourcesConfig } from './fixtures.ts';

/**
 * RFC 8707 resource indicators in the device authorization grant (RFC 8628), over real HTTP with oauth4webapi's
 * device functions: `resource` at the device authorization endpoint (§2.1, as at the authorization endpoint), at the
 * token request to narrow to one (§2.2), kept by refreshes, and a resource's DPoP requirement (RFC 9449 §7.2).
 */

const BOUND_JWT = 'https://bound-jwt.example/';

let server: TestServer;
let as: oauth.AuthorizationServer;

function deviceResourcesConfig(overrides: Partial<ConfigInput> = {}): Partial<ConfigInput> {
  const base = resourcesConfig();
  return {
    ...base,
    clients: [...(base.clients ?? []), { id: 'tv-app', name: 'Living Room TV', type: 'public', grantTypes: [DEVICE_GRANT, 'refresh_token'], responseTypes: [] }],
    resources: [...(base.resources ?? []), { id: BOUND_JWT, name: 'Bound API', scopes: ['bound.read'], accessTokenFormat: 'jwt', dpopBoundAccessTokensRequired: true }],
    ...overrides,
  };
}

beforeAll(async () => {
  server = await startServer(deviceResourcesConfig());
  as = await discover(server.url);
});

afterAll(async () => {
  await server?.close();
});

/** The device authorization request with `resource` repeated once per value (RFC 8707 §2). */
function deviceParams(resources: readonly string[], scope: string): URLSearchParams {
  const params = new URLSearchParams({ scope });
  for (const r of resources) params.append('resource', r);
  return params;
}

async function startDevice(target: oauth.AuthorizationServer, resources: readonly string[], scope: string): Promise<oauth.DeviceAuthorizationResponse> {
  const res = await oauth.deviceAuthorizationRequest(target, tv, none, deviceParams(resources, scope), insecure);
  return oauth.processDeviceAuthorizationResponse(target, tv, res);
}

/** The device's token request, naming `resource` when given, with a DPoP handle when given. */
async function redeem(target: oauth.AuthorizationServer, deviceCode: string, o: { resource?: string; key?: ProofKey } = {}): Promise<oauth.TokenEndpointResponse> {
  const res = await oauth.deviceCodeGrantRequest(target, tv, none, deviceCode, {
    ...insecure,
    ...(o.resource === undefined ? {} : { additionalParameters: { resource: o.resource } }),
    ...(o.key === undefined ? {} : { DPoP: oauth.DPoP(tv, { privateKey: o.key.privateKey, publicKey: o.key.publicKey }) }),
  });
  return oauth.processDeviceCodeResponse(target, tv, res);
}

/** What oauth4webapi throws for an OAuth error response: its status and code. */
async function refusal(promise: Promise<unknown>): Promise<{ status: number; error: string }> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(oauth.ResponseBodyError);
  const e = err as oauth.ResponseBodyError;
  return { status: e.status, error: e.error };
}

/** Alice signs in on /device, types the code, and allows; the consent page she saw. */
async function allow(url: string, userCode: string): Promise<string> {
  const agent = new UserAgent(url);
  const consent = await agent.submit(await openDevicePage(agent, '/device'), { user_code: userCode });
  expect(consent.page).toBe('consent');
  expect((await agent.consent(consent, 'allow')).html).toContain('Device connected');
  return consent.html ?? '';
}

/** A device authorization for `resources`, approved by alice. */
async function approved(resources: readonly string[], scope: string, target = as, url = server.url): Promise<{ deviceCode: string; consentHtml: string }> {
  const d = await startDevice(target, resources, scope);
  return { deviceCode: d.device_code, consentHtml: await allow(url, d.user_code) };
}

const introspect = async (token: string, authorization: string) => (await post(server, '/oauth2/introspect', { token }, { authorization })).json() as Promise<Record<string, unknown>>;

describe('the device grant with a resource (RFC 8628, RFC 8707 §2.1)', () => {
  it('issues a JWT access token with the resource named at the device authorization endpoint as aud (RFC 8707 §2.1, RFC 9068 §2.2)', async () => {
    const { deviceCode } = await approved([JWT_API], 'openid notes.read');
    const tokens = await redeem(as, deviceCode);
    const claims = await oauth.validateJwtAccessToken(as, apiRequest(tokens.access_token), JWT_API, insecure);
    expect(claims.aud).toBe(JWT_API);
    expect(claims.client_id).toBe('tv-app');
    expect(claims.scope).toBe('notes.read');
    // The access token's scope is the resource's share; openid stays on the grant, so the ID token still comes.
    expect(tokens.scope).toBe('notes.read');
    expect(tokens.id_token).toBeTypeOf('string');
  });

  it('keeps the audience across refreshes: the grant holds the resources (RFC 8707 §2.2)', async () => {
    const { deviceCode } = await approved([JWT_API], 'notes.read');
    const tokens = await redeem(as, deviceCode);
    const res = await oauth.refreshTokenGrantRequest(as, tv, none, tokens.refresh_token ?? '', insecure);
    const refreshed = await oauth.processRefreshTokenResponse(as, tv, res);
    const claims = await oauth.validateJwtAccessToken(as, apiRequest(refreshed.access_token), JWT_API, insecure);
    expect(claims.aud).toBe(JWT_API);
    expect(claims.scope).toBe('notes.read');
  });

  it('narrows to the one resource the token request names; introspection of the opaque token answers its aud (RFC 8707 §2.2, RFC 7662 §2.2)', async () => {
    const { deviceCode } = await approved([JWT_API, OPAQUE_API], 'notes.read calendar.read');
    const tokens = await redeem(as, deviceCode, { resource: OPAQUE_API });
    expect(tokens.access_token.split('.')).toHaveLength(1);
    expect(tokens.scope).toBe('calendar.read');
    expect(await introspect(tokens.access_token, basicAuth('opaque-api', API_SECRET))).toMatchObject({ active: true, aud: OPAQUE_API, scope: 'calendar.read', client_id: 'tv-app' });
    // A refresh may name the other resource of the authorization, and gets a token for it alone.
    const res = await oauth.refreshTokenGrantRequest(as, tv, none, tokens.refresh_token ?? '', { ...insecure, additionalParameters: { resource: JWT_API } });
    const jwt = await oauth.processRefreshTokenResponse(as, tv, res);
    expect((await oauth.validateJwtAccessToken(as, apiRequest(jwt.access_token), JWT_API, insecure)).scope).toBe('notes.read');
  });

  it('refuses a token request for a resource outside the device authorization with invalid_target, leaving the code redeemable (RFC 8707 §2.2)', async () => {
    const { deviceCode } = await approved([JWT_API], 'notes.read calendar.read');
    expect(await refusal(redeem(as, deviceCode, { resource: OPAQUE_API }))).toEqual({ status: 400, error: 'invalid_target' });
    const tokens = await redeem(as, deviceCode);
    expect(jwtParts(tokens.access_token).payload['aud']).toBe(JWT_API);
  });

  it('refuses a token request without resource when the device authorization covers several, with invalid_target (RFC 8707 §2.2)', async () => {
    const { deviceCode } = await approved([JWT_API, OPAQUE_API], 'notes.read calendar.read');
    expect(await refusal(redeem(as, deviceCode))).toEqual({ status: 400, error: 'invalid_target' });
  });

  it('refuses a resource at the token request when the device authorization named none, with invalid_target (RFC 8707 §2.2)', async () => {
    const { deviceCode } = await approved([], 'notes.read');
    expect(await refusal(redeem(as, deviceCode, { resource: JWT_API }))).toEqual({ status: 400, error: 'invalid_target' });
    // Without it, the token is as before resources: no audience, every granted scope.
    const tokens = await redeem(as, deviceCode);
    expect(tokens.scope).toBe('notes.read');
    expect((await introspect(tokens.access_token, basicAuth('jwt-api', API_SECRET)))['active']).toBe(false);
  });

  it('names the API on the /device consent page, as the code flow does', async () => {
    const { consentHtml } = await approved([JWT_API, OPAQUE_API], 'notes.read calendar.read');
    expect(consentHtml).toContain('Notes API');
    expect(consentHtml).toContain('Calendar API');
    expect(consentHtml).toContain(OPAQUE_API);
  });

  it('refuses the token request for a resource that requires DPoP without a proof (invalid_dpop_proof), then binds the token to the proof key (RFC 9449 §5, §7.2)', async () => {
    const { deviceCode } = await approved([BOUND_JWT], 'bound.read');
    expect(await refusal(redeem(as, deviceCode))).toEqual({ status: 400, error: 'invalid_dpop_proof' });
    const key = await proofKey();
    const tokens = await redeem(as, deviceCode, { key });
    expect(tokens.token_type).toBe('dpop');
    expect(jwtParts(tokens.access_token).payload).toMatchObject({ aud: BOUND_JWT, cnf: { jkt: key.jkt } });
  });

  it('binds the tokens to the DPoP key of the token request without a resource too, the public client\'s refresh token included (RFC 9449 §5)', async () => {
    const { deviceCode } = await approved([], 'notes.read');
    const key = await proofKey();
    const tokens = await redeem(as, deviceCode, { key });
    expect(tokens.token_type).toBe('dpop');
    expect(await introspect(tokens.access_token, basicAuth('jwt-api', API_SECRET))).toEqual({ active: false });
    // §5: a public client's refresh token is bound to the key: refused without a proof (invalid_grant, as for every
    // bound refresh token), honoured with one.
    const bare = await oauth.refreshTokenGrantRequest(as, tv, none, tokens.refresh_token ?? '', insecure);
    expect(await refusal(oauth.processRefreshTokenResponse(as, tv, bare))).toEqual({ status: 400, error: 'invalid_grant' });
    const DPoP = oauth.DPoP(tv, { privateKey: key.privateKey, publicKey: key.publicKey });
    const bound = await oauth.refreshTokenGrantRequest(as, tv, none, tokens.refresh_token ?? '', { ...insecure, DPoP });
    expect((await oauth.processRefreshTokenResponse(as, tv, bound)).token_type).toBe('dpop');
  });
});

describe('invalid_target at the device authorization endpoint (RFC 8707 §2)', () => {
  const refused = async (resources: readonly string[]) => refusal(startDevice(as, resources, 'notes.read'));

  it('answers invalid_target 400 for an unregistered resource', async () => {
    expect(await refused(['https://unknown.example/'])).toEqual({ status: 400, error: 'invalid_target' });
  });

  it('answers invalid_target for a resource with a fragment, a relative one, and one unknown among known ones', async () => {
    expect(await refused([`${JWT_API}#frag`])).toEqual({ status: 400, error: 'invalid_target' });
    expect(await refused(['/api'])).toEqual({ status: 400, error: 'invalid_target' });
    expect(await refused([JWT_API, 'https://unknown.example/'])).toEqual({ status: 400, error: 'invalid_target' });
  });

  it('answers it as JSON with no-store, naming no resource identifier in the description (RFC 6749 §5.2)', async () => {
    const body = deviceParams(['https://unknown.example/secret-path'], 'notes.read');
    body.set('client_id', 'tv-app');
    const answer = await expectJsonError(await post(server, '/oauth2/device_authorization', body), 400, 'invalid_target');
    expect(String(answer['error_description'])).not.toContain('secret-path');
  });
});

describe('resourceTokens.defaultResource in the device grant', () => {
  let other: TestServer;
  let otherAs: oauth.AuthorizationServer;

  beforeAll(async () => {
    other = await startServer(deviceResourcesConfig({ resourceTokens: { defaultResource: JWT_API } }));
    otherAs = await discover(other.url);
  });

  afterAll(async () => {
    await other?.close();
  });

  it('targets the default resource when the request names none but asks for its scopes, as the authorization endpoint does (RFC 8707 §2.1)', async () => {
    const { deviceCode } = await approved([], 'notes.read', otherAs, other.url);
    const tokens = await redeem(otherAs, deviceCode);
    expect((await oauth.validateJwtAccessToken(otherAs, apiRequest(tokens.access_token), JWT_API, insecure)).aud).toBe(JWT_API);
  });

  it('leaves a request for other scopes only without audience', async () => {
    const { deviceCode } = await approved([], 'calendar.read', otherAs, other.url);
    const tokens = await redeem(otherAs, deviceCode);
    expect(tokens.access_token.split('.')).toHaveLength(1);
    expect(tokens.scope).toBe('calendar.read');
  });
});
