import { BENCH } from '../common.ts';
import { BrowserFlow, type CookieJar } from './browser.ts';
import { runFlows } from './http.ts';
import { idTokenChecker } from './id-token-check.ts';
import type { Target, Workload } from './types.ts';

/**
 * The auth_code scope on Latchkey: no openid, so no ID token (the opaque flow auth_code_oidc is compared with). The
 * peers keep openid: their userinfo needs it (oidc-provider then signs an ID token, as it always did here).
 */
const opaqueScope = (t: Target): string => (t.name === 'latchkey' ? BENCH.opaqueScope : BENCH.userScope);

const SESSIONS = 50;

/**
 * The authorization-code flow per virtual user, with a login session the browser already has (one per connection,
 * established before the warm-up, consent remembered): authorize -> redirect with code -> token exchange with PKCE
 * -> one call to the protected resource (userinfo).
 */
export const authCode: Workload = {
  name: 'auth_code',
  unit: 'flows/s',
  describe: 'authorize (signed-in browser) -> code -> token (PKCE, client_secret_basic) -> userinfo; scope without openid',
  supports: (t) => t.endpoints.authorization !== undefined,
  async prepare(target) {
    const jars: CookieJar[] = (await runFlows(target, SESSIONS)).map((f) => f.jar);
    let i = 0;
    const scope = opaqueScope(target);
    return { start: () => new BrowserFlow(target, jars[i++ % jars.length], { scope }) };
  },
};

/**
 * auth_code as OpenID Connect: scope openid with a nonce, and the client validates the ID token it gets (the
 * signature against the JWKS read once at setup, iss, aud, exp, nonce), as a relying party would.
 */
export const authCodeOidc: Workload = {
  name: 'auth_code_oidc',
  unit: 'flows/s',
  describe: 'auth_code with scope openid and a nonce; the ID token validated (signature, iss, aud, exp, nonce)',
  supports: (t) => t.endpoints.authorization !== undefined && t.endpoints.openidConfiguration !== undefined,
  async prepare(target) {
    const jars: CookieJar[] = (await runFlows(target, SESSIONS)).map((f) => f.jar);
    const idTokens = await idTokenChecker(target);
    let i = 0;
    return { start: () => new BrowserFlow(target, jars[i++ % jars.length], { scope: BENCH.userScope, idTokens }) };
  },
};

/** The same flow from a fresh browser every time: the login form (password checked with argon2id) in each flow. */
export const authCodeLogin: Workload = {
  name: 'auth_code_login',
  unit: 'flows/s',
  describe: 'the same from a new browser each time: authorize -> login page -> POST login -> code -> token -> userinfo',
  supports: (t) => t.endpoints.authorization !== undefined,
  async prepare(target) {
    // One flow first, so the consent is on record as it would be for a returning user.
    await runFlows(target, 1);
    return { start: () => new BrowserFlow(target) };
  },
};
