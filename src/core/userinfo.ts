import type { CoreDeps } from './context.ts';
import { InvalidToken } from './errors.ts';
import { authenticateAccessToken } from './bearer.ts';
import type { Keyring } from './keys/keyring.ts';
import { oidcMetadata, type Token } from './model.ts';
import { releasedClaims } from './oidc/claims.ts';
import { subjectFor } from './oidc/subject.ts';

/** A UserInfo answer: JSON (Core §5.3.2), or a signed JWT when the client registered an algorithm (Core §5.3.2). */
export type UserinfoResponse = { kind: 'json'; claims: Record<string, unknown> } | { kind: 'jwt'; jwt: string };

/**
 * GET/POST /userinfo (OpenID Connect Core §5.3), a protected resource: the user's claims permitted by the token's
 * scopes (Core §5.4). A token must carry a scope that
 * releases user claims (or `openid`), and must belong to a user (not a client_credentials token). `sub` is the one
 * the ID token has (Core §5.3.2), public or pairwise.
 */
export async function userinfo(
  deps: CoreDeps<'tokens' | 'users' | 'scopes' | 'clients'> & { keyring: Pick<Keyring, 'sign'> },
  accessToken: string,
  /** RFC 9449 §7.1: checks how the token was presented against its DPoP binding (dpop/presentation.ts). */
  confirm: (token: Token) => Promise<void> = async () => undefined,
): Promise<UserinfoResponse> {
  const scopes = await deps.repos.scopes.list();
  const releasing = scopes.filter((s) => s.claims.length > 0 || s.name === 'openid').map((s) => s.name);
  const token = await authenticateAccessToken(deps, accessToken, releasing);
  await confirm(token);
  if (token.userId === null) throw new InvalidToken('this access token does not represent a user');
  const [user, client] = await Promise.all([deps.repos.users.findById(token.userId), deps.repos.clients.findById(token.clientId)]);
  if (!user) throw new InvalidToken('the user of this access token no longer exists');
  if (!client) throw new InvalidToken('the application of this access token no longer exists');
  // Every claim of the granted scopes. The claims parameter's userinfo members (Core §5.5) could only ask for claims
  // of those scopes (releasedClaims: the consent page approves scopes, not single claims), so they add none here.
  const claims: Record<string, unknown> = { sub: subjectFor(client, user.id, deps.config.oidc.pairwiseSalt), ...releasedClaims(user, token.scope, scopes) };
  const alg = oidcMetadata(client).userinfoSignedResponseAlg;
  if (alg === null) return { kind: 'json', claims };
  // Core §5.3.2: a signed answer carries iss and aud (the client) too.
  return { kind: 'jwt', jwt: await deps.keyring.sign({ ...claims, iss: deps.config.issuer, aud: client.id }, { alg, typ: 'JWT' }) };
}
