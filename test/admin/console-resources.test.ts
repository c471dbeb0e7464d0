import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminServer } from '../support/admin.ts';
import { TEST_PASSWORD, type TestServer } from '../support/server.ts';
import { parseForms, UserAgent, type Outcome } from '../support/user-agent.ts';

/** The console's resources (APIs) page over HTTP: the list, Create and Edit as CSRF-protected forms, errors by field. */

const formOf = (page: Outcome | { html?: string }, action: string) => {
  const form = parseForms(page.html ?? '').find((f) => f.action === action);
  if (!form) throw new Error(`no form posting to ${action}`);
  return form;
};

const API = 'https://notes.example/api';

describe('console: resources (APIs)', () => {
  let server: TestServer;
  let agent: UserAgent;
  let csrf: string;

  const postForm = (path: string, fields: Record<string, string>) =>
    agent.request(path, { method: 'POST', body: new URLSearchParams(fields), headers: { 'content-type': 'application/x-www-form-urlencoded' }, redirect: 'manual' });
  const page = async (path = '/console/resources') => {
    const res = await agent.request(path);
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

  it('is in the navigation and offers a Create form; an empty list says how to start', async () => {
    const list = await page();
    expect(list.html).toContain('<a href="/console/resources" aria-current="page">Resources (APIs)</a>');
    expect(list.html).toContain('No resources yet');
    expect(formOf(list, '/console/resources').fields['csrf']).toBe(csrf);
  });

  it('refuses Create without the form’s CSRF token (403), creating nothing', async () => {
    const res = await postForm('/console/resources', { id: API, name: 'Notes', scopes: 'notes.read' });
    expect(res.status).toBe(403);
    expect(await server.latchkey.storage.repos.resources.list()).toEqual([]);
  });

  it('Create with a fragment in the identifier shows the error next to the field (422), keeping what was typed', async () => {
    const res = await postForm('/console/resources', { csrf, id: `${API}#x`, name: 'Notes', scopes: 'notes.read', accessTokenFormat: 'jwt' });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toMatch(/id="f-id-error"[^>]*>[^<]*fragment/);
    expect(html).toContain('value="Notes"');
  });

  it('Create registers the resource and lists it with its format and scopes', async () => {
    const res = await postForm('/console/resources', { csrf, id: API, name: 'Notes', scopes: 'notes.read notes.write', accessTokenFormat: 'jwt', accessTokenTtl: '', introspectionClientId: '' });
    expect(res.status).toBe(303);
    const list = await page(res.headers.get('location') ?? '');
    expect(list.html).toContain('The resource was saved.');
    expect(list.html).toContain(`<code>${API}</code>`);
    expect(list.html).toContain('notes.read notes.write');
    expect((await server.latchkey.storage.repos.resources.findById(API))?.accessTokenFormat).toBe('jwt');
  });

  it('Edit has a DPoP checkbox: ticked, the resource requires DPoP-bound tokens (RFC 9449 §7.2); unticked, it no longer does', async () => {
    const editPath = `/console/resources/edit?id=${encodeURIComponent(API)}`;
    const edit = await page(editPath);
    const box = /<input type="checkbox"[^>]*name="dpopBoundAccessTokensRequired" value="true"([^>]*)>/;
    expect(box.exec(edit.html)?.[1]).not.toContain('checked');
    const form = formOf(edit, '/console/resources/edit');
    const fields = { ...form.fields, name: 'Notes', scopes: 'notes.read notes.write', accessTokenFormat: 'jwt', accessTokenTtl: '', introspectionClientId: '' };
    expect((await postForm('/console/resources/edit', { ...fields, dpopBoundAccessTokensRequired: 'true' })).status).toBe(303);
    expect((await server.latchkey.storage.repos.resources.findById(API))?.dpopBoundAccessTokensRequired).toBe(true);
    const ticked = await page(editPath);
    expect(box.exec(ticked.html)?.[1]).toContain('checked');
    // A browser sends nothing for an unticked box.
    expect((await postForm('/console/resources/edit', fields)).status).toBe(303);
    expect((await server.latchkey.storage.repos.resources.findById(API))?.dpopBoundAccessTokensRequired).toBe(false);
  });

  it('Edit changes the name and lifetime; Delete removes it', async () => {
    const editPath = `/console/resources/edit?id=${encodeURIComponent(API)}`;
    const edit = await page(editPath);
    const form = formOf(edit, '/console/resources/edit');
    expect(form.fields['id']).toBe(API);
    const saved = await postForm('/console/resources/edit', { ...form.fields, name: 'Notes v2', scopes: 'notes.read notes.write', accessTokenFormat: 'jwt', accessTokenTtl: '120', introspectionClientId: '' });
    expect(saved.status).toBe(303);
    expect(await server.latchkey.storage.repos.resources.findById(API)).toMatchObject({ name: 'Notes v2', accessTokenTtl: 120 });
    const del = formOf(await page(editPath), '/console/resources/delete');
    const deleted = await postForm('/console/resources/delete', del.fields);
    expect(deleted.status).toBe(303);
    expect(await server.latchkey.storage.repos.resources.findById(API)).toBeUndefined();
  });
});
