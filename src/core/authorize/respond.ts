import { lifetimes, type CoreDeps } from '../context.ts';
import { grantId as newGrantId, randomToken, credentialKey } from '../crypto.ts';
import type { OAuthError } from '../errors.ts';
import type { Client, ResponseMode } from '../model.ts';
import { formatScope } from '../scope.ts';
import { issueTokens } from '../token/issue.ts';
import type { AuthorizationRequest } from './request.ts';

/** Where and how the user agent goes back to the client. The HTTP layer renders it per response_mode. */
export interface AuthorizationResponse {
  redirectUri: string;
  responseMode: ResponseMode;
  params: Record<string, string>;
}

/** RFC 6749 §4.1.2 / §4.2.2 success, with `iss` (RFC 9207 §2) and `state` echoed. */
export async function completeAuthorization(
  deps: CoreDeps<'codes' | 'grants' | 'tokens' | 'transaction'>,
  client: Client,
  req: AuthorizationRequest,
  user: { id: string; authTime: number },
): Promise<AuthorizationResponse> {
  const now = deps.clock.now();
  const params: Record<string, string> = await deps.repos.transaction(async (tx) => {
    const grantId = newGrantId();
    // OpenID Connect: the sign-in time and the claims request outlive the code, for refreshes (Core §12.2) and UserInfo.
    const oidc = req.scope.includes('openid');
    await tx.grants.create({
      id: grantId,
      clientId: client.id,
      userId: user.id,
      scope: req.scope,
      createdAt: now,
      authTime: user.authTime,
      claims: oidc ? (req.claims ?? null) : null,
    });
    if (req.responseType === 'token') {
      const t = await issueTokens(tx, deps.config, { client, grantId, userId: user.id, scope: req.scope, refresh: false, now, implicit: true });
      // `implicit: true` means the token always has a lifetime (RFC 6749 §4.2.2 expires_in).
      return { access_token: t.access_token, token_type: t.token_type, expires_in: String(t.expires_in), scope: formatScope(req.scope) };
    }
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
    });
    return { code };
  });
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
