import { scopeSchema, type Config } from '../config/schema.ts';
import { isSigningAlg, type SigningAlg } from '../core/keys/algorithms.ts';
import { clientSettings, GRANT_TYPES, normalizeResponseType, oidcMetadata, RESPONSE_TYPES, responseTypeWords, type Client, type OidcClientMetadata } from '../core/model.ts';
import { oidcMetadataProblems } from '../core/oidc/client-metadata.ts';
import { redirectUriProblem } from '../core/redirect-uri.ts';
import type { ClientPatch } from '../core/repositories.ts';
import { CliError, checked, type CommonOptions, describeLines } from './context.ts';
import { isoTime } from '../core/clock.ts';
import { describeAuth, type ClientAuthOptions } from './client-auth-fields.ts';
import { describeTokenExchange, type TokenExchangeOptions } from './token-exchange-fields.ts';

/** The options of `clients create` and `clients update`, validated, and how a client is shown. */

export interface ClientOptions extends CommonOptions, ClientAuthOptions, TokenExchangeOptions {
  name?: string;
  id?: string;
  secret?: string;
  public?: boolean;
  confidential?: boolean;
  redirectUri?: string[];
  grantType?: string[];
  responseType?: string[];
  scope?: string[];
  accessTokenTtl?: string;
  refreshTokenTtl?: string;
  codeTtl?: string;
  requirePkce?: boolean;
  introspectAny?: boolean;
  requirePar?: boolean;
  requireSignedRequestObject?: boolean;
  dpop?: boolean;
  idTokenAlg?: string;
  userinfoAlg?: string;
  subjectType?: string;
  defaultMaxAge?: string;
  requireAuthTime?: boolean;
  postLogoutRedirectUri?: string[];
  backchannelLogoutUri?: string;
  backchannelLogoutSessionRequired?: boolean;
}

/** The validated fields given on the command line; absent options stay absent. `null` resets a lifetime to the default. */
export function parseClientFields(opts: ClientOptions, issuer: string): ClientPatch {
  const f: ClientPatch = {};
  if (opts.name !== undefined) {
    if (opts.name.trim() === '') throw new CliError('--name: must not be empty');
    f.name = opts.name;
  }
  if (opts.redirectUri !== undefined) {
    const uris = unique(opts.redirectUri.filter((u) => u !== ''));
    for (const uri of uris) {
      const problem = redirectUriProblem(uri, { issuer });
      if (problem) throw new CliError(`--redirect-uri "${uri}": ${problem}`);
    }
    f.redirectUris = uris;
  }
  if (opts.grantType !== undefined) f.grantTypes = oneOf('--grant-type', 'grant type', opts.grantType, GRANT_TYPES);
  // Response types are words joined by spaces ("code id_token"): a list of them is repeated options or commas.
  if (opts.responseType !== undefined) {
    const types = opts.responseType.flatMap((v) => v.split(',')).map((v) => normalizeResponseType(v.trim()) ?? v.trim());
    f.responseTypes = oneOf('--response-type', 'response type', types, RESPONSE_TYPES, /,/);
  }
  if (opts.scope !== undefined) {
    const scopes = unique(opts.scope.flatMap((s) => s.split(/\s+/)).filter((s) => s !== ''));
    for (const s of scopes) checked(`--scope "${s}"`, scopeSchema.shape.name, s);
    f.scopes = scopes;
  }
  if (opts.accessTokenTtl !== undefined) {
    // 'never' exists for clients migrated from providers whose tokens do not expire (redCORE); the config allows it too.
    f.accessTokenTtl = opts.accessTokenTtl === 'never' ? 'never' : seconds('--access-token-ttl', opts.accessTokenTtl, ', never');
  }
  if (opts.refreshTokenTtl !== undefined) {
    f.refreshTokenTtl = opts.refreshTokenTtl === 'never' ? 'never' : seconds('--refresh-token-ttl', opts.refreshTokenTtl, ', never');
  }
  if (opts.codeTtl !== undefined) f.codeTtl = seconds('--code-ttl', opts.codeTtl);
  if (opts.requirePkce !== undefined) f.requirePkce = opts.requirePkce;
  if (opts.introspectAny !== undefined) f.introspectAny = opts.introspectAny;
  if (opts.requirePar !== undefined) f.requirePushedAuthorizationRequests = opts.requirePar;
  if (opts.requireSignedRequestObject !== undefined) f.requireSignedRequestObject = opts.requireSignedRequestObject;
  if (opts.dpop !== undefined) f.dpopBoundAccessTokens = opts.dpop;
  const oidc = parseOidcFields(opts);
  if (Object.keys(oidc).length > 0) f.oidc = oidc;
  return f;
}

const ALGS = ['RS256', 'ES256', 'EdDSA'] as const;
const alg = (flag: string, value: string): SigningAlg | null => {
  if (value === 'default' || value === 'none') return null;
  if (!isSigningAlg(value)) throw new CliError(`${flag} "${value}": use one of ${ALGS.join(', ')}, or default`);
  return value;
};

/** The OpenID Connect client metadata options (Registration 1.0 §2); checked as a whole by `checkOidc`. */
function parseOidcFields(opts: ClientOptions): Partial<OidcClientMetadata> {
  const o: Partial<OidcClientMetadata> = {};
  if (opts.idTokenAlg !== undefined) o.idTokenSignedResponseAlg = alg('--id-token-alg', opts.idTokenAlg);
  if (opts.userinfoAlg !== undefined) o.userinfoSignedResponseAlg = alg('--userinfo-alg', opts.userinfoAlg);
  if (opts.subjectType !== undefined) {
    if (opts.subjectType !== 'public' && opts.subjectType !== 'pairwise') throw new CliError(`--subject-type "${opts.subjectType}": use public or pairwise`);
    o.subjectType = opts.subjectType;
  }
  if (opts.defaultMaxAge !== undefined) o.defaultMaxAge = seconds('--default-max-age', opts.defaultMaxAge);
  if (opts.requireAuthTime !== undefined) o.requireAuthTime = opts.requireAuthTime;
  if (opts.postLogoutRedirectUri !== undefined) o.postLogoutRedirectUris = unique(opts.postLogoutRedirectUri.filter((u) => u !== ''));
  if (opts.backchannelLogoutUri !== undefined) o.backchannelLogoutUri = opts.backchannelLogoutUri === '' || opts.backchannelLogoutUri === 'none' ? null : opts.backchannelLogoutUri;
  if (opts.backchannelLogoutSessionRequired !== undefined) o.backchannelLogoutSessionRequired = opts.backchannelLogoutSessionRequired;
  return o;
}

const OIDC_FLAGS: Record<string, string> = {
  subjectType: '--subject-type',
  postLogoutRedirectUris: '--post-logout-redirect-uri',
  backchannelLogoutUri: '--backchannel-logout-uri',
};

/** The OpenID Connect metadata as a whole (pairwise needs one redirect host and oidc.pairwiseSalt...). */
export function checkOidc(c: Pick<Client, 'redirectUris' | 'oidc'>, config: Config): void {
  const [first] = Object.entries(oidcMetadataProblems(c, config.oidc));
  if (first) throw new CliError(`${OIDC_FLAGS[first[0]] ?? first[0]}: ${first[1]}`);
}

const MAX_TTL = 10 * 365 * 24 * 3600;

/** A lifetime in whole seconds; `default` (for update) goes back to the server setting. */
function seconds(flag: string, value: string, alternatives = ''): number | null {
  if (value === 'default') return null;
  const n = /^[0-9]+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n <= 0 || n > MAX_TTL) {
    throw new CliError(`${flag} "${value}": must be a whole number of seconds from 1 to ${MAX_TTL}${alternatives}, or default`);
  }
  return n;
}

function oneOf<T extends string>(flag: string, what: string, values: readonly string[], allowed: readonly T[], separator = /[\s,]+/): T[] {
  const out = unique(values.flatMap((v) => v.split(separator)).filter((v) => v !== ''));
  if (out.length === 0) throw new CliError(`${flag}: give at least one ${what}`);
  for (const v of out) {
    if (!(allowed as readonly string[]).includes(v)) throw new CliError(`${flag} "${v}": unknown ${what}; use one of ${allowed.join(', ')}`);
  }
  return out as T[];
}

/** Rules that hold for a client as a whole; checked on create and on the result of an update. */
export function checkConsistency(c: Pick<Client, 'type' | 'grantTypes' | 'responseTypes' | 'requirePkce'>): void {
  if (c.type === 'public' && c.grantTypes.includes('client_credentials')) {
    throw new CliError('--grant-type client_credentials: only a confidential client may use it (RFC 6749 §4.4)');
  }
  if (c.type === 'public' && c.requirePkce === false) {
    throw new CliError('--no-require-pkce: a public client always uses PKCE (RFC 9700 §2.1.1)');
  }
  if (c.responseTypes.some((rt) => responseTypeWords(rt).code) && !c.grantTypes.includes('authorization_code')) {
    throw new CliError('--response-type code: needs --grant-type authorization_code to redeem the code');
  }
}

/** What `show`, `list` and `--json` print: everything but the secret hash. */
export const clientView = clientSettings;

export function describeClient(c: Client, config: Config): string {
  const ttl = (own: number | 'never' | null, fallback: number | 'never') => {
    const v = own ?? fallback;
    const text = v === 'never' ? 'never expires' : `${v} s`;
    return own === null ? `${text} (server default)` : text;
  };
  const pkce =
    c.type === 'public' ? 'required (always, public client)' : `${(c.requirePkce ?? config.pkce.required) ? 'required' : 'optional'}${c.requirePkce === null ? ' (server default)' : ''}`;
  const oidc = oidcMetadata(c);
  const many = (values: readonly string[], none: string) => (values.length === 0 ? none : values.join('\n' + ' '.repeat(22)));
  return describeLines(`Client ${c.id}`, [
    ['name', c.name],
    ['type', c.type],
    ['redirect URIs', many(c.redirectUris, '(none)')],
    ['grant types', many(c.grantTypes, '(none)')],
    ['response types', many(c.responseTypes, '(none)')],
    ['scopes', many(c.scopes, '(any scope the server knows)')],
    ['access token TTL', ttl(c.accessTokenTtl, config.tokens.accessTokenTtl)],
    ['refresh token TTL', ttl(c.refreshTokenTtl, config.tokens.refreshTokenTtl)],
    ['code TTL', ttl(c.codeTtl, config.tokens.codeTtl)],
    ['PKCE', pkce],
    ['introspects', c.introspectAny ? 'tokens of every client (resource server)' : 'its own tokens'],
    ['DPoP', c.dpopBoundAccessTokens ? 'required (RFC 9449)' : 'optional'],
    ['token exchange', describeTokenExchange(c.tokenExchange)],
    ['ID token alg', oidc.idTokenSignedResponseAlg ?? `${config.oidc.defaultIdTokenAlg} (server default)`],
    ['UserInfo', oidc.userinfoSignedResponseAlg === null ? 'JSON' : `signed JWT (${oidc.userinfoSignedResponseAlg})`],
    ['subject type', oidc.subjectType],
    ['default max_age', oidc.defaultMaxAge === null ? '(none)' : `${oidc.defaultMaxAge} s`],
    ['post-logout URIs', many(oidc.postLogoutRedirectUris, '(none)')],
    ['back-channel logout', oidc.backchannelLogoutUri === null ? '(none)' : `${oidc.backchannelLogoutUri}${oidc.backchannelLogoutSessionRequired ? ' (session required)' : ''}`],
    ['client auth', describeAuth(c)],
    ['created', isoTime(c.createdAt)],
    ['updated', isoTime(c.updatedAt)],
  ]);
}

const FLAGS: Record<string, string> = {
  id: '--id',
  name: '--name',
  secret: '--secret',
  redirectUris: '--redirect-uri',
  grantTypes: '--grant-type',
  responseTypes: '--response-type',
  scopes: '--scope',
  accessTokenTtl: '--access-token-ttl',
  refreshTokenTtl: '--refresh-token-ttl',
  codeTtl: '--code-ttl',
  requirePkce: '--require-pkce',
  introspectAny: '--introspect-any',
  requirePushedAuthorizationRequests: '--require-par',
  requireSignedRequestObject: '--require-signed-request-object',
  dpopBoundAccessTokens: '--dpop',
  idTokenSignedResponseAlg: '--id-token-alg',
  userinfoSignedResponseAlg: '--userinfo-alg',
  defaultMaxAge: '--default-max-age',
  backchannelLogoutUri: '--backchannel-logout-uri',
};
export const flagFor = (key: string): string => FLAGS[key] ?? key;

const unique = <T>(values: readonly T[]): T[] => [...new Set(values)];
