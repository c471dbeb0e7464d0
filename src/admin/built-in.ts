import type { Config } from '../config/schema.ts';
import { DEVICE_CODE_GRANT } from '../core/model.ts';
import { ADMIN_SCOPE } from '../core/scope.ts';
import { ACCOUNT_CLIENT_ID, CONSOLE_CLIENT_ID, isFirstParty } from '../interaction/first-party.ts';
import type { NewClient, Repositories } from '../core/repositories.ts';

export { ACCOUNT_CLIENT_ID, CONSOLE_CLIENT_ID, isFirstParty };

export const CONSOLE_CALLBACK_PATH = '/console/callback';

/**
 * The `latchkey` command line's client (`latchkey admin login`): a native app, so public, with a loopback redirect
 * URI that matches any port (RFC 8252 §7.3). Not first-party: the consent page is shown, since any local program could
 * start a flow with this client_id and receive the code on a port of its own.
 */
export const CLI_CLIENT_ID = 'latchkey-cli';
export const CLI_REDIRECT_URI = 'http://127.0.0.1/callback';
export const ACCOUNT_CALLBACK_PATH = '/account/callback';
/** The device verification page (RFC 8628 §3.3) signs people in as the account page does, coming back here. */
export const DEVICE_CALLBACK_PATH = '/device/callback';

export const ADMIN_SCOPE_DESCRIPTION = 'Manage Latchkey: applications, users, scopes, token settings and the audit log';

/** Scopes Latchkey depends on: not deletable from the console or the API. */
export const isBuiltInScope = (name: string): boolean => name === ADMIN_SCOPE;

const firstParty = (id: string, name: string, redirectUris: string[], scopes: string[]): NewClient => ({
  id,
  name,
  type: 'public',
  secretHash: null,
  redirectUris,
  grantTypes: ['authorization_code'],
  responseTypes: ['code'],
  scopes,
  accessTokenTtl: null,
  refreshTokenTtl: null,
  codeTtl: null,
  requirePkce: true,
  introspectAny: false,
});

/**
 * Seeds what the console and the account page need, at every start (the issuer, and so the redirect URIs, may have
 * changed): the `admin` scope, and the two first-party public clients that sign people in through the ordinary
 * authorization endpoint with PKCE.
 */
export async function seedBuiltIns(repos: Pick<Repositories, 'scopes' | 'clients'>, config: Config, now: number): Promise<void> {
  await repos.scopes.upsert({ name: ADMIN_SCOPE, description: ADMIN_SCOPE_DESCRIPTION, claims: [] });
  const clients = [
    firstParty(CONSOLE_CLIENT_ID, `${config.theme.productName} console`, [config.issuer + CONSOLE_CALLBACK_PATH], [ADMIN_SCOPE]),
    // The account page asks for no scope: it only needs the person signed in (the SSO session).
    firstParty(ACCOUNT_CLIENT_ID, `${config.theme.productName} account`, [config.issuer + ACCOUNT_CALLBACK_PATH, config.issuer + DEVICE_CALLBACK_PATH], []),
    // Refresh tokens too: the token cache of `latchkey token` keeps an administrator signed in between commands. The
    // device grant (RFC 8628) for `latchkey admin login --device`, on a server's shell with no browser.
    { ...firstParty(CLI_CLIENT_ID, `${config.theme.productName} command line`, [CLI_REDIRECT_URI], [ADMIN_SCOPE]), grantTypes: ['authorization_code', 'refresh_token', DEVICE_CODE_GRANT] as NewClient['grantTypes'] },
  ];
  for (const client of clients) {
    if (await repos.clients.findById(client.id)) await repos.clients.update(client.id, client, now);
    else await repos.clients.create(client, now);
  }
}
