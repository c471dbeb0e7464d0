import type { Config } from '../../config/schema.ts';
import type { Repositories } from '../repositories.ts';
import type { ClaimsRequest } from '../authorize/oidc-params.ts';
import type { SigningAlg } from '../keys/algorithms.ts';
import type { Keyring } from '../keys/keyring.ts';
import { oidcMetadata, type Client } from '../model.ts';
import { passwordSignIn } from './acr.ts';
import { releasedClaims } from './claims.ts';
import { signIdToken } from './id-token.ts';
import { subjectFor } from './subject.ts';

export interface IdTokenRequest {
  client: Client;
  userId: string | null;
  scope: readonly string[];
  /** When the user signed in; null for a grant stored before OpenID Connect (then auth_time is left out). */
  authTime: number | null;
  nonce?: string | null | undefined;
  /** The access token issued with it (at_hash); none for response_type=id_token. */
  accessToken?: string | undefined;
  /** The code issued with it from the authorization endpoint (c_hash, hybrid flow). */
  code?: string | undefined;
  claims: ClaimsRequest | null | undefined;
  /** The SSO session the grant was given in (the `sid` claim). */
  sid?: string | null | undefined;
  /** How the user signed in (Core §2), as recorded on the grant; null for grants older than migration 016. */
  acr?: string | null | undefined;
  amr?: string[] | null | undefined;
  now: number;
}

/** The algorithm a client's ID tokens are signed with: its own registration, else the server default (Core §3.1.3.7). */
export const idTokenAlg = (config: Config, client: Client): SigningAlg => oidcMetadata(client).idTokenSignedResponseAlg ?? config.oidc.defaultIdTokenAlg;

/**
 * The ID token of a token response (Core §3.1.3.3): only when `openid` is in the scope and a user stands behind the
 * grant (a client_credentials token asserts nobody's identity). The user is read only when the claims parameter asks
 * for claims in the ID token: with response_type=code the scopes' claims go to UserInfo, not here (Core §5.4).
 */
export async function idTokenFor(
  deps: { config: Config; keyring: Pick<Keyring, 'sign'> },
  repos: Pick<Repositories, 'users' | 'scopes'>,
  req: IdTokenRequest,
): Promise<string | undefined> {
  if (!req.scope.includes('openid') || req.userId === null) return undefined;
  let claims: Record<string, unknown> | undefined;
  // acr is about the sign-in, not the user: asking for it alone needs no user claims.
  const requested = (req.claims?.idToken ?? []).filter((c) => c !== 'acr');
  // Core §5.4: when no access token is issued (response_type=id_token), the scopes' claims go in the ID token.
  const noAccessToken = req.accessToken === undefined;
  if (requested.length > 0 || noAccessToken) {
    const user = await repos.users.findById(req.userId);
    if (user) claims = releasedClaims(user, req.scope, await repos.scopes.list(), noAccessToken ? undefined : requested);
  }
  return signIdToken(deps.keyring, {
    issuer: deps.config.issuer,
    clientId: req.client.id,
    sub: subjectFor(req.client, req.userId, deps.config.oidc.pairwiseSalt),
    authTime: req.authTime ?? undefined,
    nonce: req.nonce ?? undefined,
    accessToken: req.accessToken,
    code: req.code,
    claims,
    sid: req.sid ?? undefined,
    // Grants older than migration 016 were all given after a password sign-in, the only kind there was.
    ...(req.acr && req.amr ? { acr: req.acr, amr: req.amr } : passwordSignIn()),
    now: req.now,
    ttl: deps.config.tokens.idTokenTtl,
    alg: idTokenAlg(deps.config, req.client),
  });
}
