import type { Config } from '../../config/schema.ts';
import { lifetimes } from '../context.ts';
import { randomToken, sha256 } from '../crypto.ts';
import type { Client, Token } from '../model.ts';
import { formatScope } from '../scope.ts';
import type { Repositories } from '../../storage/repositories.ts';

/** RFC 6749 §5.1 successful token response. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  refresh_token?: string;
}

export interface IssueRequest {
  client: Client;
  grantId: string;
  userId: string | null;
  /** Scope of the access token. */
  scope: readonly string[];
  /** Scope of the refresh token, when one is issued (RFC 6749 §6: unchanged across rotation). */
  refreshScope?: readonly string[] | undefined;
  refresh: boolean;
  now: number;
}

export async function issueTokens(
  repos: Pick<Repositories, 'tokens'>,
  config: Config,
  req: IssueRequest,
): Promise<TokenResponse> {
  const ttl = lifetimes(config, req.client);
  const accessToken = randomToken('accessToken');
  const rows: Omit<Token, 'revokedAt' | 'consumedAt'>[] = [
    {
      hash: sha256(accessToken),
      type: 'access_token',
      grantId: req.grantId,
      clientId: req.client.id,
      userId: req.userId,
      scope: [...req.scope],
      issuedAt: req.now,
      expiresAt: req.now + ttl.accessToken,
    },
  ];
  const response: TokenResponse = {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: ttl.accessToken,
    scope: formatScope(req.scope),
  };
  if (req.refresh) {
    const refreshToken = randomToken('refreshToken');
    rows.push({
      hash: sha256(refreshToken),
      type: 'refresh_token',
      grantId: req.grantId,
      clientId: req.client.id,
      userId: req.userId,
      scope: [...(req.refreshScope ?? req.scope)],
      issuedAt: req.now,
      expiresAt: ttl.refreshToken === 'never' ? null : req.now + ttl.refreshToken,
    });
    response.refresh_token = refreshToken;
  }
  await repos.tokens.createMany(rows);
  return response;
}

/** A token is usable when it is neither revoked, spent, nor expired. */
export const isTokenActive = (t: Token, now: number): boolean =>
  t.revokedAt === null && t.consumedAt === null && (t.expiresAt === null || t.expiresAt > now);
