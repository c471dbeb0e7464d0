import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminServer } from '../support/admin.ts';
import { TEST_PASSWORD, type TestServer } from '../support/server.ts';
import { parseForms, UserAgent, type Outcome } from '../support/user-agent.ts';
import { idp, type Idp } from '../flows/token-exchange/fixtures.ts';
import { PARTNER } from '../flows/token-exchange/trusted-issuer-fixtures.ts';

/** The console's trusted issuers page over HTTP: CSRF-protected forms, errors by field, never a 500 for bad JSON. */

const formOf = (page: Outcome | { html?: string }, action: string) => {
  const form = parseForms(page.html ?? '').find((f) => f.action === action);
  if (!form) throw new Error(`no form posting to ${action}`);
  return form;
};

describe('console: trusted issuers', () => {
  let server: TestServer;
  let agent: UserAgent;
  let csrf: string;
  let partner: Idp;

  const postForm = (path: string, fields: Record<string, string>) =>
    agent.request(path, { method: 'POST', body: new URLSearchParams(fields), headers: { 'content-type': 'application/x-www-form-urlencoded' }, redirect: 'manual' });
  const page = async (path = '/console/trusted-issuers') => {
    const res = await agent.request(path);
    expect(res.status).toBe(200);
    return { html: await res.text() };
  };
  const fields = (over: Record<string, string> = {}) => ({ csrf, issuer: PARTNER, name: '', jwks: JSON.stringify(partner.jwks), jwksUri: '', userClaim: 'sub', userBy: 'username', ...over });

  beforeAll(async () => {
    partner = await idp();
    server = await startAdminServer();
    agent = new UserAgent(server.url);
    const landed = await agent.login(await agent.start('/console/login'), 'root', TEST_PASSWORD);
    csrf = formOf(landed, '/console/logout').fields['csrf'] ?? '';
  });

  afterAll(async () => {
    await server.close();
  });

  it('is in the navigation; an empty list says JWTs from other issuers are refused', async () => {
    const list = await page();
    expect(list.html).toContain('<a href="/console/trusted-issuers" aria-current="page">Trusted issuers</a>');
    expect(list.html).toContain('No trusted issuers yet');
  });

  it('refuses Add without the form’s CSRF token (403), adding nothing', async () => {
    const { csrf: _, ...without } = fields();
    expect((await postForm('/console/trusted-issuers', without)).status).toBe(403);
    expect(await server.latchkey.storage.repos.trustedIssuers.list()).toEqual([]);
  });

  it('shows pasted text that is not JSON as an error next to the keys (422), keeping the issuer typed', async () => {
    const res = await postForm('/console/trusted-issuers', fields({ jwks: '{"keys": [' }));
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toMatch(/id="f-jwks-error"[^>]*>paste the JWK Set as JSON/);
    expect(html).toContain(`value="${PARTNER}"`);
  });

  it('Add stores the issuer; Edit switches it to a jwks_uri; Delete removes it', async () => {
    const added = await postForm('/console/trusted-issuers', fields());
    expect(added.status).toBe(303);
    expect(await server.latchkey.storage.repos.trustedIssuers.find(PARTNER)).toMatchObject({ name: PARTNER, jwks: partner.jwks, jwksUri: null });
    const editPath = `/console/trusted-issuers/edit?issuer=${encodeURIComponent(PARTNER)}`;
    // parseForms reads inputs only: the select and the textarea are sent as a browser would.
    const form = formOf(await page(editPath), '/console/trusted-issuers/edit');
    expect(form.fields['issuer']).toBe(PARTNER);
    const saved = await postForm('/console/trusted-issuers/edit', { ...form.fields, jwks: '', jwksUri: `${PARTNER}/jwks`, userClaim: 'email', userBy: 'username' });
    expect(saved.status).toBe(303);
    expect(await server.latchkey.storage.repos.trustedIssuers.find(PARTNER)).toMatchObject({ jwks: null, jwksUri: `${PARTNER}/jwks`, userClaim: 'email' });
    const deleted = await postForm('/console/trusted-issuers/delete', formOf(await page(editPath), '/console/trusted-issuers/delete').fields);
    expect(deleted.status).toBe(303);
    expect(await server.latchkey.storage.repos.trustedIssuers.find(PARTNER)).toBeUndefined();
  });
});
