import { lifetimes, type CoreDeps } from '../context.ts';
import { grantId as newGrantId, randomToken, credentialKey } from '../crypto.ts';
import type { OAuthError } from '../errors.ts';
import { responseTypeWords, type Client, type ResponseMode } from '../model.ts';
import type { Keyring } from '../keys/keyring.ts';
import { acrClaim, type SignInStrength } from '../oidc/acr.ts';
import { idTokenFor } from '../oidc/issue-id-token.ts';
import { mintAccessToken } from '../resources/mint.ts';
import { issueTokens } from '../token/issue.ts';
import type { AuthorizationRequest } from './request.ts';

/** Where and how the user agent goes back to the client. The HTTP layer renders it per response_mode. */
export interface AuthorizationResponse {
  redirectUri: string;
  responseMode: ResponseMode;
  params: Record<string, string>;
}

/**
 * RFC 6749 §4.1.2 / §4.2.2 success, with `iss` (RFC 9207 §2) and `state` echoed; for the OpenID Connect implicit and
 * hybrid types (Core §3.2.2.5, §3.3.2.5) the code, access token and ID token their words ask for, the ID token with
 * c_hash and at_hash (Core §3.3.2.11) and signed after the transaction.
 */
export async function completeAuthorization(
  deps: CoreDeps<'codes' | 'grants' | 'tokens' | 'users' | 'scopes' | 'transaction'> & { keyring: Pick<Keyring, 'sign'> },
  client: Client,
  req: AuthorizationRequest,
  user: { id: string; authTime: number; sid?: string | null | undefined; signIn: SignInStrength },
): Promise<AuthorizationResponse> {
  const now = deps.clock.now();
  const words = responseTypeWords(req.responseType);
  // Core §2 acr: what the sign-in reached, named as the client asked when it reached that (§3.1.2.1, §5.5.1.1).
  const acr = acrClaim(user.signIn.acr, req.acr?.values ?? []);
  const amr = user.signIn.amr;
  // OpenID Connect: the sign-in time and the claims request outlive the code, for refreshes (Core §12.2) and UserInfo.
  const oidc = req.scope.includes('openid');
  // RFC 9068: a JWT access token (implicit, hybrid) is signed before the transaction (resources/mint.ts).
  const accessToken = words.token
    ? await mintAccessToken(deps, { client, userId: user.id, scope: req.scope, resource: req.resources[0], now, authTime: user.authTime, acr, implicit: true })
    : undefined;
  const { params, grantClaims } = await deps.repos.transaction(async (tx) => {
    const grantId = newGrantId();
    const claims = oidc ? (req.claims ?? null) : null;
    // RFC 8707 §2.1: the resources the user consented to stay with the grant, for each token request to pick one.
    const resources = req.resources.map((r) => r.id);
    await tx.grants.create({ id: grantId, clientId: client.id, userId: user.id, scope: req.scope, createdAt: now, authTime: user.authTime, claims, sid: user.sid ?? null, acr, amr, resources });
    const out: Record<string, string> = {};
    if (words.token) {
      const t = await issueTokens(tx, deps.config, { client, grantId, userId: user.id, scope: req.scope, refresh: false, now, implicit: true, resource: req.resources[0], accessToken });
      // `implicit: true` means the token always has a lifetime (RFC 6749 §4.2.2 expires_in).
      Object.assign(out, { access_token: t.access_token, token_type: t.token_type, expires_in: String(t.expires_in), scope: t.scope });
    }
    if (words.code) {
      const code = randomToken('code');
      await tx.codes.create({
        hash: credentialKey(code),
        grantId,
        clientId: client.id,
        userId: user.id,
        redirectUri: req.redirectUri,
        redirectUriProvided: req.redirectUriProvided,
        scope: req.scope,
        codeChallenge: req.codeChallenge ?? null,
        codeChallengeMethod: req.codeChallengeMethod ?? null,
        authTime: user.authTime,
        expiresAt: now + lifetimes(deps.config, client).code,
        nonce: oidc ? (req.nonce ?? null) : null,
        dpopJkt: req.dpopJkt ?? null,
      });
      out['code'] = code;
    }
    return { params: out, grantClaims: claims };
  });
  if (words.idToken) {
    const idToken = await idTokenFor(deps, deps.repos, {
      client,
      userId: user.id,
      scope: req.scope,
      authTime: user.authTime,
      nonce: req.nonce,
      accessToken: params['access_token'],
      code: params['code'],
      claims: grantClaims,
      sid: user.sid,
      acr,
      amr,
      now,
    });
    if (idToken !== undefined) params['id_token'] = idToken;
  }
  if (req.state !== undefined) params['state'] = req.state;
  params['iss'] = deps.config.issuer;
  return { redirectUri: req.redirectUri, responseMode: req.responseMode, params };
}

/** RFC 6749 §4.1.2.1 error response, with `state` and `iss` (RFC 9207). */
export function errorResponse(
  issuer: string,
  target: { redirectUri: string; responseMode: ResponseMode; state?: string | undefined },
  err: OAuthError,
): AuthorizationResponse {
  const params: Record<string, string> = { error: err.error, error_description: err.description };
  if (target.state !== undefined) params['state'] = target.state;
  params['iss'] = issuer;
  return { redirectUri: target.redirectUri, responseMode: target.responseMode, params };
}

/** Builds the redirect URL for query and fragment modes, keeping any query the registered URI already has. */
export function redirectUrl(res: AuthorizationResponse): string {
  const encoded = new URLSearchParams(res.params).toString();
  if (res.responseMode === 'fragment') return `${res.redirectUri}#${encoded}`;
  const url = new URL(res.redirectUri);
  for (const [k, v] of Object.entries(res.params)) url.searchParams.append(k, v);
  return url.toString();
}
