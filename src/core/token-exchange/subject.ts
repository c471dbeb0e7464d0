import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import type { Config } from '../../config/schema.ts';
import type { TokenExchangePolicy } from '../../config/token-exchange-schema.ts';
import { credentialKey } from '../crypto.ts';
import { InvalidGrant, InvalidRequest, UnauthorizedClient } from '../errors.ts';
import type { JwksDocument } from '../keys/jwks.ts';
import { isDisabled, type Client } from '../model.ts';
import { subjectFor } from '../oidc/subject.ts';
import { isTokenActive } from '../token/issue.ts';
import type { Repositories } from '../repositories.ts';
import { userOfTrustedJwt, verifyTrustedJwt } from './trusted-jwt.ts';

/** RFC 8693 §3 token type identifiers, by the short names the policy uses. */
export const TOKEN_TYPE_URNS = {
  access_token: 'urn:ietf:params:oauth:token-type:access_token',
  refresh_token: 'urn:ietf:params:oauth:token-type:refresh_token',
  id_token: 'urn:ietf:params:oauth:token-type:id_token',
  jwt: 'urn:ietf:params:oauth:token-type:jwt',
} as const;
export type ShortTokenType = keyof typeof TOKEN_TYPE_URNS;

export function shortTokenType(urn: string | undefined, name: string): ShortTokenType {
  const found = (Object.keys(TOKEN_TYPE_URNS) as ShortTokenType[]).find((k) => TOKEN_TYPE_URNS[k] === urn);
  if (!found) throw new InvalidRequest(`${name} is not a token type this server accepts`);
  return found;
}

/** Whom a presented token stands for, once checked. */
export interface ExchangedParty {
  /** The Latchkey user, or null for a client acting for itself (a client_credentials token). */
  userId: string | null;
  /** The `sub` this party has in an `act` claim (RFC 8693 §4.1): the user's id, else the client's id. */
  sub: string;
  /** The scope the token carried; undefined when it says nothing (a trusted JWT without `scope`). */
  scope: readonly string[] | undefined;
  /** An `act` claim the token already carried (a delegated token exchanged again: §4.1 nests it). */
  act?: Record<string, unknown> | undefined;
}

type Repos = Pick<Repositories, 'tokens' | 'users' | 'trustedIssuers' | 'grants' | 'clients'>;

export interface SubjectContext {
  repos: Repos;
  config: Config;
  jwks: () => Promise<JwksDocument>;
  client: Client;
  /** The client's own policy (Client.tokenExchange). */
  policy: TokenExchangePolicy;
  now: number;
}

const refused = (): never => {
  throw new InvalidGrant('the token is invalid, expired or revoked');
};

/** The application a token was issued to, unless it is gone or an administrator disabled it. */
const activeApplication = async (repos: Repos, clientId: string): Promise<Client | undefined> => {
  const holder = await repos.clients.findById(clientId);
  return holder !== undefined && !isDisabled(holder) ? holder : undefined;
};

/**
 * The user an ID token of ours names. A public `sub` is the user's id (oidc/subject.ts). A pairwise one (OpenID Connect
 * Core §8.1) cannot be turned back into a user, but the SSO session the token was issued in (`sid`) can, through the
 * grant the client it was issued to got in that session; the pairwise value must then be that user's for that client.
 */
async function userOfIdToken(repos: Repos, sub: string, sid: unknown, issuedTo: readonly Client[], salt: string | undefined): Promise<string | undefined> {
  if (await repos.users.findById(sub)) return sub;
  if (typeof sid !== 'string') return undefined;
  for (const audience of issuedTo) {
    const userId = await repos.grants.userOfSession(sid, audience.id);
    if (userId !== undefined && subjectFor(audience, userId, salt) === sub) return userId;
  }
  return undefined;
}

/**
 * Checks a subject or actor token (RFC 8693 §2.1) of `type` and says whom it stands for. Latchkey's own access and
 * refresh tokens are looked up by hash and must be active; a refresh token must be the client's own (it is the
 * client's credential, RFC 6749 §10.4), an access or ID token another client's only when the policy says so. ID
 * tokens are checked by our signature, issuer and expiry; a `jwt` must come from a trusted issuer.
 */
export async function resolveParty(ctx: SubjectContext, token: string, type: ShortTokenType): Promise<ExchangedParty> {
  const { repos, client, policy, now, config } = ctx;
  if (type === 'access_token' || type === 'refresh_token') {
    const row = await repos.tokens.findByHash(credentialKey(token));
    if (!row || row.type !== type || !isTokenActive(row, now)) return refused();
    // A disabled application's tokens are inactive everywhere (introspection, UserInfo, the admin API), here too.
    if ((await activeApplication(repos, row.clientId)) === undefined) return refused();
    if (row.clientId !== client.id && (type === 'refresh_token' || !policy.otherClientsTokens)) {
      throw new UnauthorizedClient('the client may not exchange tokens issued to another client');
    }
    const user = row.userId === null ? undefined : await repos.users.findById(row.userId);
    if (row.userId !== null && (!user || user.disabledAt !== null)) return refused();
    return { userId: row.userId, sub: row.userId ?? row.clientId, scope: row.scope, act: row.act };
  }
  if (type === 'id_token') {
    let claims: Record<string, unknown>;
    try {
      const { payload } = await compactVerify(token, createLocalJWKSet((await ctx.jwks()) as unknown as JSONWebKeySet), { algorithms: ['RS256', 'ES256', 'EdDSA'] });
      claims = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
    } catch {
      return refused();
    }
    const aud = (Array.isArray(claims['aud']) ? claims['aud'] : [claims['aud']]).filter((a): a is string => typeof a === 'string');
    // OpenID Connect Core §2: iss is ours, exp is in the future (this is a credential now, not a logout hint).
    if (claims['iss'] !== config.issuer || typeof claims['exp'] !== 'number' || claims['exp'] <= now || typeof claims['sub'] !== 'string') return refused();
    const issuedTo = await Promise.all(aud.map((id) => activeApplication(repos, id)));
    if (!issuedTo.every((c): c is Client => c !== undefined)) return refused();
    if (!aud.includes(client.id) && !policy.otherClientsTokens) throw new UnauthorizedClient('the client may not exchange tokens issued to another client');
    const userId = await userOfIdToken(repos, claims['sub'], claims['sid'], issuedTo, config.oidc.pairwiseSalt);
    const user = userId === undefined ? undefined : await repos.users.findById(userId);
    if (!user || user.disabledAt !== null) throw new InvalidGrant('the ID token does not name a user of this server');
    return { userId: user.id, sub: user.id, scope: undefined };
  }
  const { trusted, claims } = await verifyTrustedJwt(repos.trustedIssuers, token, now);
  const user = await userOfTrustedJwt(repos.users, trusted, claims);
  const scope = typeof claims['scope'] === 'string' ? claims['scope'].split(' ').filter(Boolean) : undefined;
  const act = typeof claims['act'] === 'object' && claims['act'] !== null ? (claims['act'] as Record<string, unknown>) : undefined;
  return { userId: user.id, sub: user.id, scope, act };
}
