import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../../src/config/schema.ts';
import { withPage } from '../../support/browser.ts';
import { signIn } from '../../support/browser-flows.ts';
import { startServer, TEST_SECRET, type TestServer } from '../../support/server.ts';
import { JWT_API, jwtParts, OPAQUE_API, resourcesConfig } from '../../flows/resources/fixtures.ts';
import { freshConfigHome, runLatchkey, startLatchkey } from './run-token.ts';

/**
 * `latchkey token --resource <uri>` (RFC 8707) against Latchkey: the device grant sends it to the device
 * authorization endpoint, where /device names the API, and the token is a JWT with it as aud (RFC 9068); the
 * client_credentials grant sends it to the token endpoint; the token cache answers only the resource it was for.
 */

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const VERIFY = /latchkey: or open (\S+)\n/;
let server: TestServer;

beforeAll(async () => {
  const base = resourcesConfig();
  const config: Partial<ConfigInput> = {
    ...base,
    // The smallest interval: the tests count what happened, they never measure time.
    deviceFlow: { interval: 1 },
    clients: [...(base.clients ?? []), { id: 'tv-app', name: 'Living Room TV', type: 'public', grantTypes: [DEVICE_GRANT, 'refresh_token'], responseTypes: [] }],
  };
  server = await startServer(config);
});
afterAll(async () => {
  await server?.close();
});

async function allowNamingApi(page: Page, url: string): Promise<string[]> {
  await page.goto(url);
  await signIn(page);
  await page.getByRole('button', { name: 'Continue' }).click();
  const apis = page.locator('ul.lk-resources li');
  await apis.first().waitFor();
  const names = await apis.allInnerTexts();
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.getByRole('heading', { name: 'Device connected' }).waitFor();
  return names;
}

const clientCredentials = (resource: string, env: Record<string, string>) =>
  runLatchkey(['token', '--issuer', server.url, '--client-id', 'web-app', '--client-secret-stdin', '--grant', 'client_credentials', '--resource', resource, '--print', 'access_token'], { input: `${TEST_SECRET}\n`, env });

describe('latchkey token --resource against Latchkey (RFC 8707)', () => {
  it('--grant device: /device names the API, and the access token is a JWT for it (aud, RFC 9068 §2.2)', async (ctx) => {
    const running = startLatchkey(['token', '--issuer', server.url, '--client-id', 'tv-app', '--grant', 'device', '--scope', 'notes.read', '--resource', JWT_API, '--no-qr', '--json'], {
      env: { XDG_CONFIG_HOME: freshConfigHome() },
    });
    const [, complete] = await running.waitForStderr(VERIFY);
    const names = await withPage(ctx, (page) => allowNamingApi(page, complete ?? ''));
    expect(names).toEqual([`Notes API ${JWT_API}`]);
    const run = await running.done;
    expect(run.stderr).not.toContain('refused');
    expect(run.code).toBe(0);
    const body = JSON.parse(run.stdout) as { access_token: string; scope: string };
    expect(body.scope).toBe('notes.read');
    expect(jwtParts(body.access_token).payload).toMatchObject({ aud: JWT_API, client_id: 'tv-app', scope: 'notes.read' });
  });

  it('--grant device with an unregistered resource stops in one line with invalid_target, exit status 1 (RFC 8707 §2)', async () => {
    const run = await runLatchkey(['token', '--issuer', server.url, '--client-id', 'tv-app', '--grant', 'device', '--resource', 'https://unknown.example/', '--no-qr'], { env: { XDG_CONFIG_HOME: freshConfigHome() } });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^latchkey: the device authorization endpoint refused: invalid_target: [^\n]* \(HTTP 400\)\n$/);
  });

  it('--grant client_credentials: the token is for the resource; the cache answers the same resource only', async () => {
    const env = { XDG_CONFIG_HOME: freshConfigHome() };
    const first = await clientCredentials(JWT_API, env);
    expect(first.code).toBe(0);
    const jwt = first.stdout.trim();
    expect(jwtParts(jwt).payload['aud']).toBe(JWT_API);
    // Another resource is another audience: not answered from the cache.
    const other = await clientCredentials(OPAQUE_API, env);
    expect(other.code).toBe(0);
    expect(other.stdout.trim().split('.')).toHaveLength(1);
    // Asked again for that one, the cache answers it.
    expect((await clientCredentials(OPAQUE_API, env)).stdout).toBe(other.stdout);
  });
});
