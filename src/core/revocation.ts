import { authenticateClient, type ClientAuthInput } from './client-auth/authenticate.ts';
import type { CoreDeps } from './context.ts';
import { credentialKey } from './crypto.ts';
import { InvalidRequest } from './errors.ts';

/**
 * RFC 7009 token revocation. Revoking a refresh token revokes the whole grant, access tokens included (§2.1 SHOULD).
 * An unknown token, or one issued to another client, gets the same 200 (§2.2), so the endpoint is no oracle.
 */
export async function revoke(deps: CoreDeps<'clients' | 'clientAssertionJtis' | 'tokens' | 'grants'>, input: ClientAuthInput, address?: string): Promise<void> {
  const { client } = await authenticateClient(deps, { ...input, address });
  const token = input.params['token'];
  if (!token) throw new InvalidRequest('token is required');
  // token_type_hint is only a hint (§2.1): the lookup is by hash whatever the type, so an unknown hint is harmless.
  const row = await deps.repos.tokens.findByHash(credentialKey(token));
  if (!row || row.clientId !== client.id) return;
  const now = deps.clock.now();
  if (row.type === 'refresh_token') await deps.repos.grants.revoke(row.grantId, now);
  else await deps.repos.tokens.revoke(row.hash, now);
  deps.logger.info({ event: 'token_revoked', clientId: client.id, grantId: row.grantId, type: row.type }, 'token revoked');
  deps.audit.record({ type: 'token.revoked', actorClientId: client.id, userId: row.userId, clientId: client.id, ip: address, details: { grantId: row.grantId, tokenType: row.type } });
}
