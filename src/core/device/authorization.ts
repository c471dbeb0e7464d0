import { authenticateClient, type ClientAuthInput } from '../client-auth/authenticate.ts';
import type { CoreDeps } from '../context.ts';
import { credentialKey, randomToken } from '../crypto.ts';
import { UnauthorizedClient } from '../errors.ts';
import { DEVICE_CODE_GRANT } from '../model.ts';
import { authorizationResources } from '../resources/target.ts';
import { parseScope, resolveScope } from '../scope.ts';
import { newUserCode, normaliseUserCode, userCodeKey } from './user-code.ts';

/** Where a person types the user code (RFC 8628 §3.2 verification_uri), served by http/device-routes.ts. */
export const DEVICE_PAGE_PATH = '/device';

/** RFC 8628 §3.2 device authorization response. */
export interface DeviceAuthorizationResponse {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

/** A user code collides with a live one about once in 10^10 requests: a few fresh draws settle it. */
const USER_CODE_DRAWS = 4;

/**
 * RFC 8628 §3.1 device authorization endpoint: the client authenticates as at the token endpoint (public clients
 * send client_id alone), must be registered for the device grant (else unauthorized_client, §3.2 refers to RFC 6749
 * §5.2), and its scope and resources are checked as the authorization endpoint checks them (RFC 6749 §3.3; RFC 8707
 * §2.1: `resource`, repeatable, each a registered resource, else invalid_target; none: the configured default).
 */
export function deviceAuthorizationEndpoint(deps: CoreDeps<'clients' | 'clientAssertionJtis' | 'scopes' | 'resources' | 'deviceCodes'>) {
  return async (req: ClientAuthInput): Promise<DeviceAuthorizationResponse> => {
    const { client } = await authenticateClient(deps, req);
    if (!client.grantTypes.includes(DEVICE_CODE_GRANT)) throw new UnauthorizedClient('the client is not allowed to use the device authorization grant');
    const known = new Set((await deps.repos.scopes.list()).map((s) => s.name));
    const scope = resolveScope(parseScope(req.params['scope']), client.scopes, known, req.params['scope'] !== undefined);
    const resources = (await authorizationResources(deps.repos, req.params['resource'], deps.config.resourceTokens.defaultResource, scope)).map((r) => r.id);
    const now = deps.clock.now();
    const { codeTtl, interval } = deps.config.deviceFlow;
    // §3.2 device_code: a high-entropy credential, stored as its key only, like every other one.
    const deviceCode = randomToken('deviceCode');
    for (let draw = 1; ; draw++) {
      const userCode = newUserCode();
      try {
        await deps.repos.deviceCodes.create({
          hash: credentialKey(deviceCode),
          userCodeHash: userCodeKey(normaliseUserCode(userCode) ?? userCode),
          clientId: client.id,
          scope,
          resources,
          interval,
          createdAt: now,
          expiresAt: now + codeTtl,
        });
      } catch (err) {
        // The unique key on user codes refused a collision; anything else fails the same way after the last draw.
        if (draw >= USER_CODE_DRAWS) throw err;
        continue;
      }
      const page = deps.config.issuer + DEVICE_PAGE_PATH;
      return {
        device_code: deviceCode,
        user_code: userCode,
        verification_uri: page,
        // §3.3.1: the code in the URI, so a QR code or link saves typing it; the page still asks to confirm it.
        verification_uri_complete: `${page}?user_code=${encodeURIComponent(userCode)}`,
        expires_in: codeTtl,
        interval,
      };
    }
  };
}
