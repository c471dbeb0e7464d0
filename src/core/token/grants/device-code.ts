import { credentialKey, grantId } from '../../crypto.ts';
import type { DeviceCode } from '../../device/port.ts';
import { AuthorizationPending, DeviceAccessDenied, ExpiredToken, InvalidGrant, SlowDown, type OAuthError } from '../../errors.ts';
import { DEVICE_CODE_GRANT } from '../../model.ts';
import { idTokenFor, type IdTokenRequest } from '../../oidc/issue-id-token.ts';
import { assertUserMayHold } from '../../user-standing.ts';
import type { Repositories } from '../../repositories.ts';
import type { GrantDeps, GrantHandler } from '../grant.ts';
import { issueTokens, mayRefresh, type TokenResponse } from '../issue.ts';
import { prepareForDevice, preparedAccessToken } from '../../resources/prepare.ts';
import { tokenResource } from '../../resources/target.ts';

type Repos = Pick<Repositories, 'deviceCodes' | 'grants' | 'tokens' | 'users' | 'scopes' | 'resources' | 'transaction'>;

/** Why a device code cannot be redeemed now (RFC 8628 §3.5), or undefined when it is approved and unspent. */
function refusal(code: DeviceCode | undefined, clientId: string, now: number): OAuthError | undefined {
  if (!code) return new InvalidGrant('the device code is invalid');
  // RFC 6749 §5.2 invalid_grant: issued to another client. Checked first, so another client learns nothing of it.
  if (code.clientId !== clientId) return new InvalidGrant('the device code was issued to another client');
  if (code.consumedAt !== null) return new InvalidGrant('the device code has already been used');
  if (code.expiresAt <= now) return new ExpiredToken('the device code has expired: start again');
  if (code.status === 'denied') return new DeviceAccessDenied('the user denied the request');
  return undefined;
}

/**
 * RFC 8628 §3.4-3.5 device access token request. The device polls; the answer is authorization_pending until the
 * person decides on the verification page, slow_down when it polls sooner than the interval (which then grows by 5
 * seconds, on the row: every node sees it), access_denied or expired_token; an approved code is redeemed once, by its
 * own client, in one transaction with the tokens. Tokens and ID token are those of the code exchange, with the
 * approving sign-in's auth_time, sid, acr and amr. RFC 8707 §2.2: the access token is for one of the resources of the
 * device authorization (the grant keeps them for refreshes), and bound to the request's DPoP key (RFC 9449 §5), which
 * a resource may require (§7.2).
 */
export function deviceCodeGrant(repos: Repos, deps: GrantDeps): GrantHandler {
  return {
    grantType: DEVICE_CODE_GRANT,
    parameters: ['device_code'],
    allowsPublicClients: true,
    async handle({ client, params, now, accessTokenTtlDefault, dpopJkt }) {
      const hash = credentialKey(params['device_code'] ?? '');
      const found = await repos.deviceCodes.find(hash);
      const refused = refusal(found, client.id, now);
      if (refused) throw refused;
      if (found?.status === 'pending') {
        const poll = await repos.deviceCodes.poll(hash, now);
        if (poll?.slowDown) throw new SlowDown(`polled too soon: wait ${poll.interval} seconds between requests`);
        if (poll) throw new AuthorizationPending('the user has not answered yet');
        // Decided between the read and the poll: redeem it below, or say why not.
      }
      // A JWT access token is signed before the transaction (resources/prepare.ts), for the grant about to be made.
      const id = grantId();
      const approved = found?.status === 'approved' ? found : await repos.deviceCodes.find(hash);
      const prepared = await prepareForDevice(repos, deps, { client, params, now, accessTokenTtlDefault, dpopJkt, code: approved, grantId: id });
      const outcome = await repos.transaction(async (tx): Promise<{ response: TokenResponse; oidc: Omit<IdTokenRequest, 'accessToken'> } | undefined> => {
        // The single UPDATE is the race arbiter: of two pollers, exactly one spends the code.
        const c = await tx.deviceCodes.consume(hash, now);
        if (!c || c.userId === null) return undefined;
        // The person may have been disabled, or lost the admin role, since approving.
        await assertUserMayHold(tx, c.userId, c.scope);
        // RFC 8707 §2.2: one of the device authorization's resources (a refusal rolls back: the code stays redeemable).
        const resource = await tokenResource(tx, params['resource'], c.resources, undefined);
        const signIn = { authTime: c.authTime, sid: c.sid, acr: c.acr, amr: c.amr };
        await tx.grants.create({ id, clientId: client.id, userId: c.userId, scope: c.scope, createdAt: now, claims: null, resources: c.resources, ...signIn });
        const response = await issueTokens(tx, deps.config, {
          client,
          grantId: id,
          userId: c.userId,
          scope: c.scope,
          refresh: client.grantTypes.includes('refresh_token') && mayRefresh(deps.config, c.scope),
          now,
          accessTokenTtlDefault,
          resource,
          accessToken: preparedAccessToken(prepared, id, resource),
          dpopJkt,
        });
        return { response, oidc: { client, userId: c.userId, scope: c.scope, claims: null, now, ...signIn } };
      });
      if (!outcome) throw refusal(await repos.deviceCodes.find(hash), client.id, now) ?? new InvalidGrant('the device code has already been used');
      // Signed after the transaction, so no database lock waits for a signature.
      const idToken = await idTokenFor(deps, repos, { ...outcome.oidc, accessToken: outcome.response.access_token });
      return idToken === undefined ? outcome.response : { ...outcome.response, id_token: idToken };
    },
  };
}
