import { expect } from 'vitest';
import { pkcePair, WEB_REDIRECT } from './flow-helpers.ts';
import { TEST_PASSWORD, type TestServer } from './server.ts';
import { authorizeUrl, parseForms, UserAgent, type Outcome } from './user-agent.ts';

/**
 * Open authorization requests for the tests of issue 10 (defects 2, 4, 5): a person stopped on the login or consent
 * page, so a test can change the world (disable them, revoke, sign out) and then make the decision.
 */

export interface OpenRequest {
  clientId?: string;
  redirectUri?: string;
  /** null: no scope parameter (the client's registered scopes apply, RFC 6749 §3.3). */
  scope?: string | null;
  username?: string;
  password?: string;
  prompt?: string;
  agent?: UserAgent;
}

export interface OpenInteraction {
  agent: UserAgent;
  /** The page the browser stopped on after the login (consent, or the redirect back to the client). */
  page: Outcome;
  verifier: string;
  redirectUri: string;
  /** POST target of the consent decision, and the browser's CSRF token, read from the login form. */
  consentAction: string;
  csrf: string;
}

/** Starts an authorization request (PKCE) and signs in on its login page; stops at whatever comes next. */
export async function signInOnRequest(server: { url: string }, o: OpenRequest = {}): Promise<OpenInteraction> {
  const agent = o.agent ?? new UserAgent(server.url);
  const { verifier, challenge } = pkcePair();
  const redirectUri = o.redirectUri ?? WEB_REDIRECT;
  const url = authorizeUrl(server, {
    response_type: 'code',
    client_id: o.clientId ?? 'web-app',
    redirect_uri: redirectUri,
    scope: o.scope === null ? undefined : (o.scope ?? 'openid profile'),
    state: 'st',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    prompt: o.prompt,
  });
  const login = await agent.start(url);
  expect(login.page).toBe('login');
  const form = parseForms(login.html ?? '')[0];
  const action = form?.action ?? '';
  expect(action).toMatch(/^\/interaction\/[^/]+\/login$/);
  const page = await agent.login(login, o.username ?? 'alice', o.password ?? TEST_PASSWORD);
  return { agent, page, verifier, redirectUri, consentAction: action.replace(/\/login$/, '/consent'), csrf: form?.fields['csrf'] ?? '' };
}

/** Stopped on the consent page (the test fails otherwise). */
export async function atConsent(server: { url: string }, o: OpenRequest = {}): Promise<OpenInteraction> {
  const open = await signInOnRequest(server, o);
  expect(open.page.page).toBe('consent');
  return open;
}

export type Decided = Outcome & { redirectedTo?: URL | undefined };

/**
 * POSTs a decision to the interaction's consent URL, as a browser (or a crafted form) would, and follows it.
 * `redirectedTo` keeps the first redirect, for clients (the console) whose redirect URI is on this server.
 */
export async function decide(open: OpenInteraction, decision: 'allow' | 'deny'): Promise<Decided> {
  const res = await open.agent.request(open.consentAction, {
    method: 'POST',
    body: new URLSearchParams({ csrf: open.csrf, decision }),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  const location = res.headers.get('location');
  const redirectedTo = location === null ? undefined : new URL(location, open.agent.origin);
  return { ...(await open.agent.follow(res)), redirectedTo };
}

/** The code in a redirect back to the client, or null. */
export const codeIn = (o: Decided): string | null => (o.redirectedTo ?? o.location)?.searchParams.get('code') ?? null;

/** The refused outcome of a decision on an interaction that has ended: the error page, and no code anywhere. */
export function expectEndedInteraction(o: Decided): void {
  expect(codeIn(o)).toBeNull();
  expect(o.redirectedTo).toBeUndefined();
  expect(o.status).toBe(400);
  expect(o.html ?? '').toContain('access_denied');
}

export async function userId(server: TestServer, username: string): Promise<string> {
  const user = await server.latchkey.storage.repos.users.findByUsername(username);
  if (!user) throw new Error(`no user ${username}`);
  return user.id;
}
