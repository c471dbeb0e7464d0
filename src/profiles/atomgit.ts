import type { Params } from '../core/context.ts';
import { InvalidRequest } from '../core/errors.ts';
import type { Client } from '../core/model.ts';
import type { Profile } from './profile.ts';
import { withParams } from './profile.ts';

/**
 * AtomGit's code exchange sends no grant_type and no redirect_uri. Read it as authorization_code, and take the
 * client's single registered redirect URI (RFC 6749 §3.1.2.3 applies the same rule at the authorization endpoint);
 * with several registered, the request is ambiguous.
 */
export function atomgitToken(params: Params, client: Client | undefined): Params {
  let out = params;
  if (out['grant_type'] === undefined && out['code'] !== undefined) out = withParams(out, { grant_type: 'authorization_code' });
  if (out['grant_type'] === 'authorization_code' && out['redirect_uri'] === undefined && client) {
    const [only, ...more] = client.redirectUris;
    if (more.length > 0) throw new InvalidRequest('redirect_uri is required: the client has several registered redirect URIs');
    if (only !== undefined) out = withParams(out, { redirect_uri: only });
  }
  return out;
}

/** The document's authorization URL has no response_type: the code flow is the only one it describes. */
export const atomgitAuthorize = (params: Params): Params =>
  params['response_type'] === undefined ? withParams(params, { response_type: 'code' }) : params;

/** AtomGit: GitHub-style paths, JSON bodies, code exchange without grant_type, 8-hour access tokens. */
export const atomgit: Profile = {
  name: 'atomgit',
  description: 'AtomGit: /login/oauth/authorize and /login/oauth/access_token',
  changes: [
    'GET /login/oauth/authorize is the authorization endpoint (response_type defaults to code), POST /login/oauth/access_token the token endpoint',
    'JSON token requests; one with code but no grant_type is an authorization_code request',
    "without redirect_uri, the code exchange uses the client's single registered redirect URI (invalid_request if it has several)",
    'access tokens last 8 hours unless the client sets accessTokenTtl',
  ],
  routes: { authorize: '/login/oauth/authorize', token: '/login/oauth/access_token' },
  normalizeAuthorize: atomgitAuthorize,
  normalizeToken: atomgitToken,
  accessTokenTtlDefault: 8 * 3600,
};
