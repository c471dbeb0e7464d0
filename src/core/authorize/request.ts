import type { CoreDeps, Params } from '../context.ts';
import {
  InvalidRequest,
  InvalidScope,
  InvalidTarget,
  OAuthError,
  UnauthorizedClient,
  UnmetAuthenticationRequirements,
  UnsupportedResponseType,
} from '../errors.ts';
import { isDisabled, normalizeResponseType, oidcMetadata, responseTypeWords, type Client, type Resource, type ResponseMode, type ResponseType } from '../model.ts';
import { reachableForEssential } from '../oidc/acr.ts';
import { RESOURCE_REQUIRES_DPOP } from '../resources/rules.ts';
import { authorizationResources } from '../resources/target.ts';
import { validateOidcParams, type OidcRequest } from './oidc-params.ts';
import { isWellFormedPkceValue, type PkceMethod } from '../pkce.ts';
import { resolveRedirectUri } from '../redirect-uri.ts';
import { findClient } from '../registration/metadata-document-clients.ts';
import { parseScope, resolveScope } from '../scope.ts';

/** A validated authorization request (RFC 6749 §4.1.1, §4.2.1; OpenID Connect Core §3.1.2.1). */
export interface AuthorizationRequest extends OidcRequest {
  clientId: string;
  redirectUri: string;
  redirectUriProvided: boolean;
  responseType: ResponseType;
  responseMode: ResponseMode;
  scope: string[];
  state?: string | undefined;
  codeChallenge?: string | undefined;
  codeChallengeMethod?: PkceMethod | undefined;
  /** RFC 8707 §2.1: the registered resources (APIs) asked for, or the default one; empty: none. */
  resources: Resource[];
  /** RFC 9449 §10: the thumbprint of the DPoP key the code will be redeemed with. */
  dpopJkt?: string | undefined;
}

/** Where an error goes: before client and redirect URI are verified, to an error page; after, to the client. */
export class AuthorizeErrorPage extends Error {
  override readonly cause: OAuthError;
  constructor(cause: OAuthError) {
    super(cause.description);
    this.cause = cause;
  }
}

export class AuthorizeErrorRedirect extends Error {
  override readonly cause: OAuthError;
  readonly redirectUri: string;
  readonly responseMode: ResponseMode;
  readonly state: string | undefined;
  constructor(cause: OAuthError, target: { redirectUri: string; responseMode: ResponseMode; state: string | undefined }) {
    super(cause.description);
    this.cause = cause;
    this.redirectUri = target.redirectUri;
    this.responseMode = target.responseMode;
    this.state = target.state;
  }
}

const MAX_STATE = 2048;

/** The authorization request as an ordered list of checks; the first two may not redirect (RFC 6749 §4.1.2.1). */
export async function validateAuthorizationRequest(
  deps: CoreDeps<'clients' | 'scopes' | 'resources'>,
  params: Params,
  options: { knownScopes: ReadonlySet<string> },
): Promise<{ request: AuthorizationRequest; client: Client }> {
  // 1. The client.
  const clientId = params['client_id'];
  if (!clientId) throw new AuthorizeErrorPage(new InvalidRequest('client_id is missing'));
  let client: Client | undefined;
  try {
    client = await findClient(deps, clientId);
  } catch (err) {
    // A client metadata document that cannot be used: a page, never a redirect to a URI nobody has verified.
    if (err instanceof OAuthError) throw new AuthorizeErrorPage(new InvalidRequest(err.description));
    throw err;
  }
  if (!client) throw new AuthorizeErrorPage(new InvalidRequest('the client_id is not registered'));
  // An administrator disabled it: an error page, never a redirect (its redirect URIs are not to be trusted now).
  if (isDisabled(client)) throw new AuthorizeErrorPage(new InvalidRequest('this application is disabled'));

  // 2. The redirect URI: exact match, or the single registered one when omitted. Only a native app (a public client)
  // may vary the port of a loopback redirect URI (RFC 8252 §7.3); others match exactly (RFC 9700 §4.1.3).
  const requestedRedirect = params['redirect_uri'];
  const redirectUri = resolveRedirectUri(requestedRedirect, client.redirectUris, { anyLoopbackPort: client.type === 'public' });
  if (!redirectUri) {
    const why = requestedRedirect === undefined ? 'redirect_uri is required: the client has several registered' : 'redirect_uri does not match a registered redirect URI';
    throw new AuthorizeErrorPage(new InvalidRequest(why));
  }

  // From here on, errors go back to the client.
  const state = params['state'];
  const responseType = params['response_type'];
  const normalized = responseType === undefined ? undefined : normalizeResponseType(responseType);
  // Multiple Response Types §5: every type but code answers in the fragment by default. Where the implicit and hybrid
  // types are off, the server treats them as unknown and answers in the query, as for any unknown type (RFC 6749).
  const frontChannel = normalized === 'token' || (deps.config.features.implicit && normalized !== undefined && normalized !== 'code');
  const defaultMode: ResponseMode = frontChannel ? 'fragment' : 'query';
  const requestedMode = params['response_mode'];
  const responseMode: ResponseMode =
    requestedMode === 'query' || requestedMode === 'fragment' || requestedMode === 'form_post' ? requestedMode : defaultMode;
  const fail = (err: OAuthError): never => {
    throw new AuthorizeErrorRedirect(err, { redirectUri, responseMode, state: state && state.length <= MAX_STATE ? state : undefined });
  };

  // 3. response_type.
  if (!responseType) fail(new InvalidRequest('response_type is required'));
  if (normalized === undefined) fail(new UnsupportedResponseType('response_type must be code or token'));
  const rt = normalized as ResponseType;
  // Tokens from the authorization endpoint (implicit and hybrid types, Core §3.2, §3.3) only where enabled.
  if (rt !== 'code' && !deps.config.features.implicit) fail(new UnsupportedResponseType('the implicit grant is disabled on this server'));
  if (!client.responseTypes.includes(rt)) fail(new UnauthorizedClient(`the client may not use response_type=${rt}`));
  const words = responseTypeWords(rt);

  // 4. response_mode: never put tokens in a query string (OAuth 2.0 Multiple Response Types §2.1).
  if (requestedMode !== undefined && requestedMode !== responseMode) fail(new InvalidRequest('response_mode must be query, fragment or form_post'));
  if (rt !== 'code' && responseMode === 'query') fail(new InvalidRequest(`response_mode=query is not allowed with response_type=${rt}`));

  // 5. state.
  if (state !== undefined && state.length > MAX_STATE) fail(new InvalidRequest(`state is longer than ${MAX_STATE} characters`));

  // 6. scope.
  let scope: string[] = [];
  try {
    scope = resolveScope(parseScope(params['scope']), client.scopes, options.knownScopes, params['scope'] !== undefined);
  } catch (err) {
    fail(err instanceof OAuthError ? err : new InvalidScope('invalid scope'));
  }

  // 6b. resource (RFC 8707 §2): each a registered resource's identifier, else invalid_target.
  let resources: Resource[] = [];
  try {
    resources = await authorizationResources(deps.repos, params['resource'], deps.config.resourceTokens.defaultResource, scope);
  } catch (err) {
    fail(err instanceof OAuthError ? err : new InvalidRequest('invalid resource'));
  }
  // An access token from the authorization endpoint (implicit, hybrid) has one audience, like every access token.
  if (words.token && resources.length > 1) fail(new InvalidTarget('an access token is issued for one resource at a time'));
  // RFC 9449 §7.2: no proof reaches the authorization endpoint, so its access token (implicit, hybrid) would be a bearer
  // token; refused now, before the user signs in, rather than by issueTokens after consent.
  if (words.token && resources[0]?.dpopBoundAccessTokensRequired) fail(new InvalidRequest(`${RESOURCE_REQUIRES_DPOP} to the token endpoint (response_type=code)`));

  // 7. PKCE (RFC 7636 §4.3): required for public clients, and by default for all; method defaults to plain.
  const codeChallenge = params['code_challenge'];
  const method = params['code_challenge_method'] ?? (codeChallenge !== undefined ? 'plain' : undefined);
  let codeChallengeMethod: PkceMethod | undefined;
  if (words.code) {
    const pkceRequired = client.type === 'public' || (client.requirePkce ?? deps.config.pkce.required);
    if (codeChallenge === undefined) {
      if (method !== undefined) fail(new InvalidRequest('code_challenge_method without code_challenge'));
      if (pkceRequired) fail(new InvalidRequest('code_challenge is required (PKCE, RFC 7636)'));
    } else {
      if (method !== 'S256' && method !== 'plain') fail(new InvalidRequest('code_challenge_method must be S256'));
      if (method === 'plain' && !deps.config.pkce.allowPlain) fail(new InvalidRequest('code_challenge_method=plain is not allowed; use S256'));
      if (!isWellFormedPkceValue(codeChallenge)) fail(new InvalidRequest('code_challenge must be 43-128 characters of [A-Za-z0-9-._~]'));
      codeChallengeMethod = method as PkceMethod;
    }
  }

  // RFC 9449 §10: dpop_jkt binds the code to a key (an RFC 7638 SHA-256 thumbprint, 43 base64url characters).
  const dpopJkt = words.code ? params['dpop_jkt'] : undefined;
  if (dpopJkt !== undefined && !/^[A-Za-z0-9_-]{43}$/.test(dpopJkt)) fail(new InvalidRequest('dpop_jkt must be a JWK SHA-256 thumbprint'));

  // 8. The OpenID Connect members (Core §3.1.2.1): prompt, nonce, max_age, claims...; request objects refused (§6).
  let oidc: OidcRequest = { prompt: [] };
  try {
    oidc = validateOidcParams(params);
  } catch (err) {
    fail(err instanceof OAuthError ? err : new InvalidRequest('invalid OpenID Connect parameter'));
  }
  // Core §3.2.2.1, §3.3.2.11: an ID token from the authorization endpoint is for openid requests, bound to a nonce.
  if (words.idToken && !scope.includes('openid')) fail(new InvalidRequest(`response_type=${rt} needs the openid scope`));
  if (words.idToken && oidc.nonce === undefined) fail(new InvalidRequest(`nonce is required with response_type=${rt}`));
  // Core §5.5.1.1: an essential acr that no sign-in here can reach fails now, before anyone types a password for it.
  if (scope.includes('openid') && !reachableForEssential(oidc.acr)) fail(new UnmetAuthenticationRequirements('no sign-in method of this server reaches the essential acr values'));

  return {
    client,
    request: {
      clientId: client.id,
      redirectUri,
      redirectUriProvided: requestedRedirect !== undefined,
      responseType: rt,
      responseMode,
      scope,
      state,
      codeChallenge: words.code ? codeChallenge : undefined,
      codeChallengeMethod,
      resources,
      ...(dpopJkt === undefined ? {} : { dpopJkt }),
      ...oidc,
      // Registration §2 default_max_age: for requests that send no max_age.
      maxAge: oidc.maxAge ?? oidcMetadata(client).defaultMaxAge ?? undefined,
    },
  };
}
