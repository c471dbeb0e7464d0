import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userView } from '../../src/admin/schemas.ts';
import { AdminApi, adminToken, startAdminServer } from '../support/admin.ts';
import { TEST_PASSWORD, type TestServer } from '../support/server.ts';
import { obtainCode } from '../support/flow-helpers.ts';
import { parseForms, UserAgent, type Outcome } from '../support/user-agent.ts';

/**
 * The standard claims (OpenID Connect Core §5.1) on the console's user page and on /account, over plain HTTP:
 * what each form shows, what it stores, how it refuses bad values (422, the field named), and the CSRF guard.
 */

const postForm = (agent: UserAgent, path: string, fields: Record<string, string>) =>
  agent.request(path, { method: 'POST', body: new URLSearchParams(fields), headers: { 'content-type': 'application/x-www-form-urlencoded' } });

const csrfOf = (page: Outcome | string, action: string): string => {
  const form = parseForms(typeof page === 'string' ? page : (page.html ?? '')).find((f) => f.action === action);
  if (!form) throw new Error(`no form posting to ${action}`);
  return form.fields['csrf'] ?? '';
};

/** The value attribute of the input named `name`, as the page shows it. */
const inputValue = (html: string, name: string): string | undefined => new RegExp(`<input [^>]*name="${name}" value="([^"]*)"`).exec(html)?.[1];

let server: TestServer;
let api: AdminApi;
const userByName = async (username: string) => userView.parse(((await api.get(`/users?q=${username}`)).body as { items: unknown[] }).items[0]);

beforeAll(async () => {
  server = await startAdminServer({
    users: [
      { username: 'alice', password: TEST_PASSWORD, name: 'Alice Liddell', email: 'alice@example.com', claims: { email_verified: true, phone_number: '+441234567890', phone_number_verified: true } },
      { username: 'root', password: TEST_PASSWORD, name: 'Root Admin', admin: true },
      { username: 'dora', password: TEST_PASSWORD },
    ],
  });
  api = new AdminApi(server, await adminToken(server));
});

afterAll(async () => {
  await server?.close();
});

describe('console: the claims fieldset on a user page', () => {
  async function consolePage(username: string) {
    const agent = new UserAgent(server.url);
    await agent.login(await agent.start('/console/login'), 'root', TEST_PASSWORD);
    const user = await userByName(username);
    const path = `/console/users/${encodeURIComponent(user.id)}`;
    const res = await agent.request(path);
    expect(res.status).toBe(200);
    const html = await res.text();
    return { agent, path, html, csrf: csrfOf(html, path) };
  }

  it('shows the claims and saves them, the verified flags included', async () => {
    const { agent, path, html, csrf } = await consolePage('dora');
    expect(html).toContain('<legend>Postal address</legend>');
    expect(inputValue(html, 'claim-given_name')).toBe('');
    const res = await postForm(agent, path, {
      csrf, name: 'Dora Explorer', email: 'dora@example.com', 'claim-given_name': 'Dora', 'claim-picture': 'https://dora.example/d.png',
      'claim-zoneinfo': 'America/Lima', 'claim-address-locality': 'Lima', 'claim-address-country': 'PE', 'claim-email_verified': 'true',
    });
    expect(res.status, await res.clone().text()).toBe(303);
    expect((await userByName('dora')).claims).toEqual({ given_name: 'Dora', picture: 'https://dora.example/d.png', zoneinfo: 'America/Lima', email_verified: true, address: { locality: 'Lima', country: 'PE' } });
    const again = await (await agent.request(path)).text();
    expect(inputValue(again, 'claim-address-locality')).toBe('Lima');
    expect(again).toMatch(/<input type="checkbox"[^>]*name="claim-email_verified" value="true"[^>]* checked/);
  });

  it('refuses a bad picture URL and birthdate with 422, naming each field, and keeps what was typed', async () => {
    const { agent, path, csrf } = await consolePage('dora');
    const before = await userByName('dora');
    const res = await postForm(agent, path, { csrf, 'claim-picture': 'javascript:alert(1)', 'claim-birthdate': '31/12/1990', 'claim-nickname': 'dd' });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('<p class="lk-field-error" id="f-claim-picture-error">an absolute http:// or https:// URL</p>');
    expect(html).toMatch(/<p class="lk-field-error" id="f-claim-birthdate-error">YYYY-MM-DD/);
    expect(html).toContain('href="#f-claim-picture">Picture: ');
    expect(inputValue(html, 'claim-nickname')).toBe('dd');
    expect(await userByName('dora')).toEqual(before);
  });
});

describe('/account: the person edits their own claims', () => {
  async function signedIn(username: string) {
    const agent = new UserAgent(server.url);
    await obtainCode(agent, { username });
    const page = await agent.start('/account');
    expect(page.status).toBe(200);
    return { agent, html: page.html ?? '', csrf: csrfOf(page, '/account/profile') };
  }

  it('shows their profile, with the username read-only and no verified checkboxes', async () => {
    const { html } = await signedIn('alice');
    expect(inputValue(html, 'name')).toBe('Alice Liddell');
    expect(inputValue(html, 'claim-phone_number')).toBe('+441234567890');
    expect(html).not.toContain('name="claim-email_verified"');
    expect(html).not.toContain('name="claim-phone_number_verified"');
    expect(html).not.toMatch(/<input [^>]*name="username"[^>]*(?<!hidden)>/);
  });

  it('saves their name, email and claims; a changed email is no longer verified; a verified flag sent anyway is ignored', async () => {
    const { agent, csrf } = await signedIn('alice');
    const res = await postForm(agent, '/account/profile', {
      csrf, name: 'Alice P. Liddell', email: 'alice@wonderland.example', 'claim-given_name': 'Alice', 'claim-nickname': 'al',
      'claim-phone_number': '+441234567890', 'claim-locale': 'en-GB', 'claim-address-street_address': '1 Rabbit Hole', 'claim-email_verified': 'true',
      username: 'mallory',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/account?notice=profile-saved');
    const alice = await userByName('alice');
    expect(alice).toMatchObject({ username: 'alice', name: 'Alice P. Liddell', email: 'alice@wonderland.example' });
    expect(alice.claims).toEqual({ given_name: 'Alice', nickname: 'al', locale: 'en-GB', phone_number: '+441234567890', phone_number_verified: true, address: { street_address: '1 Rabbit Hole' } });
    const page = await (await agent.request('/account?notice=profile-saved')).text();
    expect(page).toContain('Your profile was saved.');
    const events = (await api.get('/audit-events?type=account.profile_updated')).body as { items: { details: Record<string, unknown> }[] };
    expect(events.items[0]?.details).toEqual({ fields: ['name', 'email', 'claims'] });
  });

  it('refuses an unknown time zone and a bad email with 422 naming the fields, changing nothing', async () => {
    const { agent, csrf } = await signedIn('dora');
    const before = await userByName('dora');
    const res = await postForm(agent, '/account/profile', { csrf, email: 'not-an-email', 'claim-zoneinfo': 'Mars/Olympus' });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('<p class="lk-field-error" id="f-claim-zoneinfo-error">a time zone name such as Europe/Paris</p>');
    expect(html).toMatch(/<p class="lk-field-error" id="f-email-error">enter an email address/);
    expect(inputValue(html, 'claim-zoneinfo')).toBe('Mars/Olympus');
    expect(await userByName('dora')).toEqual(before);
  });

  it('refuses a POST without the CSRF token (403) or without a session (401)', async () => {
    const { agent } = await signedIn('dora');
    const before = await userByName('dora');
    expect((await postForm(agent, '/account/profile', { 'claim-nickname': 'x' })).status).toBe(403);
    expect((await postForm(agent, '/account/profile', { csrf: 'forged', 'claim-nickname': 'x' })).status).toBe(403);
    expect((await postForm(new UserAgent(server.url), '/account/profile', { 'claim-nickname': 'x' })).status).toBe(401);
    expect(await userByName('dora')).toEqual(before);
  });
});
