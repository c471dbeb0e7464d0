import { BrowserFlow, type CookieJar } from './browser.ts';
import { runFlows } from './http.ts';
import type { Workload } from './types.ts';

const SESSIONS = 50;

/**
 * The authorization-code flow per virtual user, with a login session the browser already has (one per connection,
 * established before the warm-up, consent remembered): authorize -> redirect with code -> token exchange with PKCE
 * -> one call to the protected resource (userinfo).
 */
export const authCode: Workload = {
  name: 'auth_code',
  unit: 'flows/s',
  describe: 'authorize (signed-in browser) -> code -> token (PKCE, client_secret_basic) -> userinfo',
  supports: (t) => t.endpoints.authorization !== undefined,
  async prepare(target) {
    const jars: CookieJar[] = (await runFlows(target, SESSIONS)).map((f) => f.jar);
    let i = 0;
    return { start: () => new BrowserFlow(target, jars[i++ % jars.length]) };
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
