import { credentialKey } from '../../crypto.ts';
import { InvalidGrant, type OAuthError } from '../../errors.ts';
import { verifyPkce } from '../../pkce.ts';
import { assertUserMayHold } from '../../user-standing.ts';
import type { Repositories } from '../../repositories.ts';
import type { GrantDeps, GrantHandler } from '../grant.ts';
import { issueTokens, mayRefresh, type TokenResponse } from '../issue.ts';
import { idTokenFor, type IdTokenRequest } from '../../oidc/issue-id-token.ts';
import { prepareForCode, preparedAccessToken } from '../../resources/prepare.ts';
import { tokenResource } from '../../resources/target.ts';

type Repos = Pick<Repositories, 'codes' | 'grants' | 'tokens' | 'users' | 'scopes' | 'resources' | 'transaction'>;

/** RFC 6749 §4.1.3 access token request, with PKCE (RFC 7636 §4.6). */
export function authorizationCodeGrant(repos: Repos, deps: GrantDeps): GrantHandler {
  return {
    grantType: 'authorization_code',
    parameters: ['code'],
    allowsPublicClients: true,
    async handle({ client, params, now, accessTokenTtlDefault, address, dpopJkt }) {
      const code = params['code'] ?? '';
      const verifier = params['code_verifier'];
      const prepared = await prepareForCode(repos, deps, { client, params, now, accessTokenTtlDefault, dpopJkt });
      const outcome = await repos.transaction(async (tx): Promise<{ response: TokenResponse; oidc: Omit<IdTokenRequest, 'accessToken'> } | OAuthError> => {
        const consumed = await tx.codes.consume(credentialKey(code), now);
        if (!consumed) throw new InvalidGrant('the authorization code is invalid');
        if ('replayed' in consumed) {
          // RFC 6749 §4.1.2: a code used twice: refuse, and revoke the tokens issued from it. Commit the revocation.
          await tx.grants.revoke(consumed.replayed.grantId, now);
          deps.logger.warn({ event: 'code_replay', clientId: client.id, grantId: consumed.replayed.grantId }, 'authorization code replayed; grant revoked');
          deps.audit.record({ type: 'code.replayed', actorClientId: client.id, userId: consumed.replayed.userId, clientId: client.id, ip: address, details: { grantId: consumed.replayed.grantId } });
          return new InvalidGrant('the authorization code has already been used');
        }
        const c = consumed.code;
        // Failures below roll back, so a mistaken request does not burn the code of the rightful client.
        if (c.clientId !== client.id) throw new InvalidGrant('the authorization code was issued to another client');
        if (c.expiresAt <= now) throw new InvalidGrant('the authorization code has expired');
        // RFC 9449 §10: a code requested with dpop_jkt is redeemed only with a proof of that key.
        if (c.dpopJkt != null && c.dpopJkt !== dpopJkt) throw new InvalidGrant('the DPoP proof is not of the key named by dpop_jkt');
        const redirectUri = params['redirect_uri'];
        // §4.1.3: redirect_uri REQUIRED if it was in the authorization request, and then identical.
        if (c.redirectUriProvided && redirectUri === undefined) throw new InvalidGrant('redirect_uri is required');
        if (redirectUri !== undefined && redirectUri !== c.redirectUri) throw new InvalidGrant('redirect_uri does not match the authorization request');
        if (c.codeChallenge !== null && c.codeChallengeMethod !== null) {
          if (verifier === undefined) throw new InvalidGrant('code_verifier is required');
          if (!verifyPkce(verifier, c.codeChallenge, c.codeChallengeMethod)) throw new InvalidGrant('PKCE verification failed');
        } else if (verifier !== undefined) {
          // RFC 9700 §2.1.1: a code_verifier without a code_challenge is a PKCE downgrade attempt.
          throw new InvalidGrant('code_verifier sent but the authorization request had no code_challenge');
        }
        // RFC 6749 §5.2 invalid_grant ("revoked"): the grant was revoked after the code was issued (the admin API, the
        // console, the user withdrawing consent on /account, disabling the user), or the user may no longer hold the
        // scope. A code is as revocable as the tokens it would become.
        const grant = await tx.grants.findById(c.grantId);
        if (!grant || grant.revokedAt !== null) throw new InvalidGrant('the authorization was revoked');
        await assertUserMayHold(tx, c.userId, c.scope);
        // RFC 8707 §2.2: the access token is for one of the resources the user consented to (the grant's).
        const resource = await tokenResource(tx, params['resource'], grant.resources ?? [], undefined);
        const response = await issueTokens(
          tx,
          deps.config,
          {
            client,
            grantId: c.grantId,
            userId: c.userId,
            scope: c.scope,
            refresh: client.grantTypes.includes('refresh_token') && mayRefresh(deps.config, c.scope),
            now,
            accessTokenTtlDefault,
            resource,
            accessToken: preparedAccessToken(prepared, c.grantId, resource),
            dpopJkt,
          },
        );
        return { response, oidc: { client, userId: c.userId, scope: c.scope, authTime: c.authTime, nonce: c.nonce, claims: grant.claims, sid: grant.sid, acr: grant.acr, amr: grant.amr, now } };
      });
      if (outcome instanceof Error) throw outcome;
      // Signed after the transaction, so no database lock waits for a signature.
      const idToken = await idTokenFor(deps, repos, { ...outcome.oidc, accessToken: outcome.response.access_token });
      return idToken === undefined ? outcome.response : { ...outcome.response, id_token: idToken };
    },
  };
}
