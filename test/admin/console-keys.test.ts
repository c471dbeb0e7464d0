import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminServer } from '../support/admin.ts';
import { TEST_PASSWORD, type TestServer } from '../support/server.ts';
import { parseForms, UserAgent, type Outcome } from '../support/user-agent.ts';

/** The console's signing keys page over HTTP: the list, Rotate and Retire as CSRF-protected forms. */

const formOf = (page: Outcome | { html?: string }, action: string) => {
  const form = parseForms(page.html ?? '').find((f) => f.action === action);
  if (!form) throw new Error(`no form posting to ${action}`);
  return form;
};

describe('console: signing keys', () => {
  let server: TestServer;
  let agent: UserAgent;
  let csrf: string;

  const postForm = (path: string, fields: Record<string, string>) =>
    agent.request(path, { method: 'POST', body: new URLSearchParams(fields), headers: { 'content-type': 'application/x-www-form-urlencoded' }, redirect: 'manual' });
  const keysPage = async () => {
    const res = await agent.request('/console/keys');
    expect(res.status).toBe(200);
    return { html: await res.text() };
  };

  beforeAll(async () => {
    server = await startAdminServer();
    agent = new UserAgent(server.url);
    const login = await agent.start('/console/login');
    const landed = await agent.login(login, 'root', TEST_PASSWORD);
    csrf = formOf(landed, '/console/logout').fields['csrf'] ?? '';
  });

  afterAll(async () => {
    await server.close();
  });

  it('lists every key with its algorithm and state, links the JWKS, and is in the navigation', async () => {
    const page = await keysPage();
    expect(page.html).toContain('<h1>Signing keys</h1>');
    expect(page.html).toContain('<a href="/console/keys" aria-current="page">Signing keys</a>');
    for (const k of await server.latchkey.deps.keys.list()) expect(page.html).toContain(`<code>${k.kid}</code>`);
    expect(page.html.match(/active \(signing\)/g)).toHaveLength(3);
    expect(page.html).toContain(`href="${server.url}/.well-known/jwks.json"`);
  });

  it('refuses Rotate and Retire without the form’s CSRF token (403), changing nothing', async () => {
    const before = (await server.latchkey.deps.keys.list()).length;
    const kid = await server.latchkey.deps.keys.keyring.currentKid('ES256');
    for (const [path, fields] of [['/console/keys/rotate', {}], [`/console/keys/${kid}/retire`, { csrf: 'x' }]] as const) {
      const res = await postForm(path, fields);
      expect(res.status).toBe(403);
    }
    expect(await server.latchkey.deps.keys.list()).toHaveLength(before);
    expect(await server.latchkey.deps.keys.keyring.currentKid('ES256')).toBe(kid);
  });

  it('Rotate with one algorithm publishes a next key and comes back to the list with a notice', async () => {
    const page = await keysPage();
    const form = formOf(page, '/console/keys/rotate');
    const res = await postForm('/console/keys/rotate', { ...form.fields, alg: 'ES256' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console/keys?notice=keys-rotated');
    const after = await server.latchkey.deps.keys.list();
    expect(after.filter((k) => k.state === 'next').map((k) => k.alg)).toEqual(['ES256']);
    expect(await (await agent.request('/console/keys?notice=keys-rotated')).text()).toContain('The new key is published');
  });

  it('Retire on the active key puts a fresh key in its place; Unpublish then removes it from the JWKS', async () => {
    const kid = await server.latchkey.deps.keys.keyring.currentKid('EdDSA');
    const retire = formOf(await keysPage(), `/console/keys/${kid}/retire`);
    expect(retire.fields['csrf']).toBe(csrf);
    expect((await postForm(`/console/keys/${kid}/retire`, retire.fields)).status).toBe(303);
    expect(await server.latchkey.deps.keys.keyring.currentKid('EdDSA')).not.toBe(kid);
    const unpublish = formOf(await keysPage(), `/console/keys/${kid}/retire`);
    expect(unpublish.fields['unpublish']).toBe('yes');
    const res = await postForm(`/console/keys/${kid}/retire`, unpublish.fields);
    expect(res.headers.get('location')).toBe('/console/keys?notice=key-unpublished');
    const jwks = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((k) => k.kid)).not.toContain(kid);
  });

  it('answers an unknown kid with the 404 page', async () => {
    const res = await postForm('/console/keys/no-such-kid/retire', { csrf });
    expect(res.status).toBe(404);
  });
});
