import * as oauth from 'oauth4webapi';
import { expect } from 'vitest';
import type { ConfigInput } from '../../../src/config/schema.ts';
import { testConfig, TEST_PASSWORD, TEST_SECRET } from '../../support/server.ts';
import { UserAgent, type Outcome } from '../../support/user-agent.ts';

/** Shared by the device grant's flow tests (RFC 8628): clients, the person's side over HTTP, the device's side with oauth4webapi. */

export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
export const insecure = { [oauth.allowInsecureRequests]: true } as const;
export const tv: oauth.Client = { client_id: 'tv-app', token_endpoint_auth_method: 'none' };
export const otherTv: oauth.Client = { client_id: 'other-tv', token_endpoint_auth_method: 'none' };
export const none = oauth.None();

/** The test config with two public device clients and a confidential one, and bob (not an administrator). */
export function deviceConfig(overrides: Partial<ConfigInput> = {}): Partial<ConfigInput> {
  const base = testConfig();
  return {
    clients: [
      ...(base.clients ?? []),
      { id: 'tv-app', name: 'Living Room TV', type: 'public', grantTypes: [DEVICE_GRANT, 'refresh_token'], responseTypes: [] },
      { id: 'other-tv', name: 'Other TV', type: 'public', grantTypes: [DEVICE_GRANT], responseTypes: [] },
      { id: 'cli-tool', name: 'CLI Tool', secret: TEST_SECRET, grantTypes: [DEVICE_GRANT], responseTypes: [] },
    ],
    users: [...(base.users ?? []), { username: 'bob', password: TEST_PASSWORD }],
    ...overrides,
  };
}

export async function discover(url: string): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(url);
  return oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }));
}

export async function startDevice(as: oauth.AuthorizationServer, scope = 'openid profile', client: oauth.Client = tv, auth: oauth.ClientAuth = none): Promise<oauth.DeviceAuthorizationResponse> {
  return oauth.processDeviceAuthorizationResponse(as, client, await oauth.deviceAuthorizationRequest(as, client, auth, { scope }, insecure));
}

/** One poll of the token endpoint: the tokens, or the OAuth error code with its HTTP status. */
export async function poll(as: oauth.AuthorizationServer, deviceCode: string, client: oauth.Client = tv, auth: oauth.ClientAuth = none): Promise<oauth.TokenEndpointResponse | { error: string; status: number }> {
  const res = await oauth.deviceCodeGrantRequest(as, client, auth, deviceCode, insecure);
  try {
    return await oauth.processDeviceCodeResponse(as, client, res);
  } catch (err) {
    if (err instanceof oauth.ResponseBodyError) return { error: err.error, status: err.status };
    throw err;
  }
}

/** Opens the verification page as a browser would, signing in as `username` when asked. Stops at the code page. */
export async function openDevicePage(agent: UserAgent, path: string, username = 'alice'): Promise<Outcome> {
  let page = await agent.start(path);
  if (page.page === 'login') page = await agent.login(page, username, TEST_PASSWORD);
  expect(page.status).toBe(200);
  expect(page.html).toContain('name="user_code"');
  return page;
}

/** The person's whole side over HTTP: sign in, type the code, and decide (form posts with their CSRF token). */
export async function answer(serverUrl: string, userCode: string, decision: 'allow' | 'deny', o: { username?: string; agent?: UserAgent } = {}): Promise<Outcome> {
  const agent = o.agent ?? new UserAgent(serverUrl);
  const codePage = await openDevicePage(agent, '/device', o.username);
  const consent = await agent.submit(codePage, { user_code: userCode });
  expect(consent.page).toBe('consent');
  return agent.consent(consent, decision);
}
