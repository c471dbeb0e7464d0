import { credentialKey } from '../../crypto.ts';
import { InvalidGrant, InvalidScope, type OAuthError } from '../../errors.ts';
import { isSubset, parseScope } from '../../scope.ts';
import { assertUserMayHold } from '../../user-standing.ts';
import type { Repositories } from '../../repositories.ts';
import type { Token } from '../../model.ts';
import type { GrantDeps, GrantHandler } from '../grant.ts';
import { issueTokens, type TokenResponse } from '../issue.ts';
import { idTokenFor, type IdTokenRequest } from '../../oidc/issue-id-token.ts';
import { prepareForRefresh, preparedAccessToken } from '../../resources/prepare.ts';
import { tokenResource } from '../../resources/target.ts';

type Repos = Pick<Repositories, 'tokens' | 'grants' | 'users' | 'scopes' | 'resources' | 'transaction'>;

/**
 * RFC 6749 §6 refreshing an access token. Refresh tokens rotate on every use; presenting a spent one is treated as
 * theft and revokes the whole grant (RFC 9700 §4.14.2), except within the configured grace window, where a client
 * that retried a request it never got the answer to receives a fresh pair.
 *
 * The grace window must not fork the chain. RFC 9700 §4.14.2 detects theft because a rotated grant has exactly one
 * live refresh token: whoever presents an older one reveals a second holder. Only hashes are stored, so the lost
 * answer cannot be sent again; instead every token records the refresh token it replaced (`parentHash`), and a retry
 * within the window revokes the lost answer's pair and issues a new one, so there is still one live branch. It works
 * once per spent token and only while the lost successor is unused: a second retry, a retry after the successor was
 * used, or presenting the replaced successor later means two parties hold the chain, and revokes the grant.
 */
export function refreshTokenGrant(repos: Repos, deps: GrantDeps): GrantHandler {
  return {
    grantType: 'refresh_token',
    parameters: ['refresh_token'],
    allowsPublicClients: true,
    async handle({ client, params, now, accessTokenTtlDefault, address, dpopJkt }) {
      const requestedScope = params['scope'] === undefined ? undefined : parseScope(params['scope']);
      const prepared = await prepareForRefresh(repos, deps, { client, params, now, accessTokenTtlDefault, requestedScope, dpopJkt });
      // Without resources (none asked for, none registered: the resource cache), the grant is read only for OpenID.
      const resources = params['resource'] !== undefined || (await repos.resources.list()).length > 0;
      const outcome = await repos.transaction(async (tx): Promise<{ response: TokenResponse; oidc?: Omit<IdTokenRequest, 'accessToken'> } | OAuthError> => {
        const consumed = await tx.tokens.consumeRefresh(credentialKey(params['refresh_token'] ?? ''), now);
        if (!consumed) throw new InvalidGrant('the refresh token is invalid');
        let token: Token;
        if ('replayed' in consumed) {
          const t = consumed.replayed;
          if (t.clientId !== client.id) throw new InvalidGrant('the refresh token is invalid');
          const grace = deps.config.tokens.refreshTokenGraceSeconds;
          // A spent token that was also revoked (its grant revoked, or replaced by a retry) is never retried.
          const retry = grace > 0 && t.revokedAt === null && t.consumedAt !== null && now - t.consumedAt <= grace;
          if (!retry || !(await tx.tokens.supersedeSuccessor(t.hash, now))) {
            // The spent token's row first, then the grant: every racing replay locks in this order. (On PostgreSQL a
            // request that lost the race to spend it may already hold that row; taking the grant first deadlocked.)
            await tx.tokens.revoke(t.hash, now);
            await tx.grants.revoke(t.grantId, now);
            deps.logger.warn({ event: 'refresh_token_reuse', clientId: client.id, grantId: t.grantId }, 'spent refresh token presented; grant revoked');
            deps.audit.record({ type: 'refresh_token.reused', actorClientId: client.id, userId: t.userId, clientId: client.id, ip: address, details: { grantId: t.grantId } });
            return new InvalidGrant('the refresh token has already been used');
          }
          token = t;
        } else {
          token = consumed.token;
          // Roll back (the token stays unspent) when another client presents it or it has expired.
          if (token.clientId !== client.id) throw new InvalidGrant('the refresh token was issued to another client');
          // A revoked token (RFC 7009, or its grant revoked after a replay) is unspent but dead.
          if (token.revokedAt !== null) throw new InvalidGrant('the refresh token is invalid');
        }
        if (token.expiresAt !== null && token.expiresAt <= now) throw new InvalidGrant('the refresh token has expired');
        // RFC 9449 §5: a refresh token bound to a DPoP key is usable only with a proof of that key (rolled back, so
        // a thief without the key does not spend it).
        if (token.dpopJkt !== null && token.dpopJkt !== dpopJkt) {
          throw new InvalidGrant(dpopJkt === undefined ? 'this refresh token requires a DPoP proof' : 'the DPoP proof is not of the key this refresh token is bound to');
        }
        // §6: a narrower scope may be requested; the new refresh token keeps the original scope.
        if (requestedScope && !isSubset(requestedScope, token.scope)) {
          throw new InvalidScope('the requested scope exceeds the scope originally granted');
        }
        // The user is read afresh: a disabled, deleted or demoted user's refresh fails (RFC 6749 §5.2 invalid_grant).
        // Checked against the refresh token's whole scope, since the new refresh token would carry all of it.
        await assertUserMayHold(tx, token.userId, token.scope);
        const scope = requestedScope ?? token.scope;
        // RFC 8707 §2.2: a refresh token may cover several resources; each refresh names one (narrowing), never another.
        const grant = resources || scope.includes('openid') ? await tx.grants.findById(token.grantId) : undefined;
        const resource = resources ? await tokenResource(tx, params['resource'], grant?.resources ?? [], undefined) : undefined;
        const response = await issueTokens(
          tx,
          deps.config,
          {
            client,
            parentHash: token.hash,
            grantId: token.grantId,
            userId: token.userId,
            scope,
            refreshScope: token.scope,
            refresh: true,
            now,
            accessTokenTtlDefault,
            resource,
            accessToken: preparedAccessToken(prepared, token.grantId, resource),
            dpopJkt,
            // RFC 8693 §4.1: a delegated grant's tokens stay delegated (the refresh token carries the grant's act).
            act: token.act,
          },
        );
        if (!scope.includes('openid')) return { response };
        // Core §12.2: a new ID token with the same sub and the original auth_time (kept on the grant), and no nonce.
        return { response, oidc: { client, userId: token.userId, scope, authTime: grant?.authTime ?? null, claims: grant?.claims, sid: grant?.sid, acr: grant?.acr, amr: grant?.amr, now } };
      });
      if (outcome instanceof Error) throw outcome;
      const idToken = outcome.oidc && (await idTokenFor(deps, repos, { ...outcome.oidc, accessToken: outcome.response.access_token }));
      return idToken === undefined ? outcome.response : { ...outcome.response, id_token: idToken };
    },
  };
}
