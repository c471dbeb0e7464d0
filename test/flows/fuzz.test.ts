import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROFILE_NAMES } from '../../src/config/profile-names.ts';
import { adminConfig, adminToken, ADMIN_API } from '../support/admin.ts';
import { basicAuth, expectTokens, obtainCode, postToken, codeGrant, WEB_APP_BASIC } from '../support/flow-helpers.ts';
import { FAMILIES, fuzzRequest, Rng, type Family, type FuzzCredentials } from '../support/fuzz.ts';
import { startServer, TEST_PASSWORD, type TestServer } from '../support/server.ts';
import { parseForms, UserAgent, type Outcome } from '../support/user-agent.ts';

/**
 * Issue 10: the fuzz of every route family (OAuth, interaction, console, account, admin API, profiles) with all four
 * migration profiles on finds no 5xx, no hang and no crash. Seeded, so a failure reproduces: the failure names the
 * seed and the request; LATCHKEY_FUZZ_SEED and LATCHKEY_FUZZ_COUNT (requests per family) change the run.
 */

const SEED = Number(process.env['LATCHKEY_FUZZ_SEED'] ?? 20_261_130);
const PER_FAMILY = Number(process.env['LATCHKEY_FUZZ_COUNT'] ?? 300);
/** A client the fuzz never names, for the good request after it. */
const FINAL = { id: 'fuzz-final', secret: 'fuzz-final-secret-0123456789abcdef' };

let server: TestServer;
const creds = {} as Record<Family, FuzzCredentials>;

const cookieHeader = (agent: UserAgent) => [...agent.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
const csrfIn = (page: Outcome) => parseForms(page.html ?? '').map((f) => f.fields['csrf']).find((c): c is string => c !== undefined) ?? '';

beforeAll(async () => {
  const base = adminConfig();
  server = await startServer({
    ...base,
    clients: [...(base.clients ?? []), { id: FINAL.id, name: 'Fuzz final', secret: FINAL.secret, redirectUris: ['https://final.example/cb'], grantTypes: ['client_credentials'] }],
    profiles: [...PROFILE_NAMES],
    rateLimit: { tokenPerMinute: 0 },
  });
  const admin = await adminToken(server);
  // alice: an SSO session (for /account and the interaction pages) and an access token without the admin scope.
  const alice = new UserAgent(server.url);
  const aliceToken = (await expectTokens(await postToken(server, codeGrant(await obtainCode(alice)), { authorization: WEB_APP_BASIC }))).access_token;
  const account = await alice.start('/account');
  // root in the console.
  const consoleAgent = new UserAgent(server.url);
  const consolePage = await consoleAgent.login(await consoleAgent.start('/console/login'), 'root', TEST_PASSWORD);
  // An open interaction (the login page) in another browser.
  const stranger = new UserAgent(server.url);
  const interaction = await stranger.start(`/oauth2/authorize?response_type=code&client_id=spa&redirect_uri=${encodeURIComponent('https://spa.example/cb')}&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256`);
  const interactionId = /\/interaction\/([^/?]+)/.exec(parseForms(interaction.html ?? '')[0]?.action ?? '')?.[1] ?? 'lk_ix_none';
  const users = (await (await fetch(`${server.url}${ADMIN_API}/users`, { headers: { authorization: `Bearer ${admin}` } })).json()) as { items: { id: string }[] };
  const userIds = users.items.map((u) => u.id);
  const entities = ['web-app', 'spa', 'admin-cli', 'openid', 'profile', ...userIds];
  const bearers = [`Bearer ${admin}`, `Bearer ${aliceToken}`];

  creds.oauth = { authorization: [WEB_APP_BASIC, basicAuth('spa', ''), ...bearers], cookies: [], csrf: [], ids: [] };
  creds.interaction = { authorization: [], cookies: [cookieHeader(stranger), cookieHeader(alice)], csrf: [csrfIn(interaction)], ids: [interactionId] };
  creds.console = { authorization: [], cookies: [cookieHeader(consoleAgent)], csrf: [csrfIn(consolePage)], ids: entities };
  creds.account = { authorization: [], cookies: [cookieHeader(alice)], csrf: [csrfIn(account)], ids: ['web-app', 'spa'] };
  creds.admin = { authorization: bearers, cookies: [], csrf: [], ids: entities };
  creds.profiles = { authorization: [WEB_APP_BASIC, ...bearers], cookies: [], csrf: [], ids: [] };
  for (const f of FAMILIES) expect(creds[f].csrf.every((c) => c !== ''), `a csrf token for ${f}`).toBe(true);
});

afterAll(async () => {
  await server?.close();
});

describe(`fuzz of every route family, all profiles on (seed ${SEED}, ${PER_FAMILY} requests each)`, () => {
  it.each(FAMILIES)('%s: no 5xx, no hang, no crash', { timeout: 600_000 }, async (family) => {
    const rng = new Rng(SEED + FAMILIES.indexOf(family));
    const requests = Array.from({ length: PER_FAMILY }, () => fuzzRequest(rng, family, creds[family]));
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    const lane = async () => {
      for (let i = next++; i < requests.length; i = next++) {
        const r = requests[i];
        if (!r) continue;
        try {
          // A wide bound: a request that has not been answered in two minutes is a hang, not a slow machine.
          const res = await fetch(server.url + r.path, { method: r.method, headers: r.headers, redirect: 'manual', signal: AbortSignal.timeout(120_000), ...(r.body ? { body: r.body } : {}) });
          await res.arrayBuffer();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (res.status >= 500) failures.push(`#${i} ${r.label}: ${res.status}`);
        } catch (err) {
          failures.push(`#${i} ${r.label}: no answer (${String(err)}${err instanceof Error && err.cause ? `: ${String(err.cause)}` : ''})`);
        }
      }
    };
    await Promise.all([lane(), lane(), lane()]);
    expect(failures, `seed ${SEED}, family ${family}`).toEqual([]);
    // The fuzz reached past the parsers: some requests were answered with success or a redirect, not only refusals.
    expect([...statuses.keys()].some((s) => s < 400), `statuses ${JSON.stringify([...statuses])}`).toBe(true);
    // And the server still works: a good request after the fuzz.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const good = await postToken(server, { grant_type: 'client_credentials' }, { authorization: basicAuth(FINAL.id, FINAL.secret) });
    expect(good.status).toBe(200);
  });
});
