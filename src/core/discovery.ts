import type { Config } from '../config/schema.ts';
import { ADMIN_SCOPE } from './scope.ts';
import type { GrantMap } from './token/grant.ts';

/** RFC 8414 §2 authorization server metadata: truthful about what this server does. */
export function discoveryDocument(config: Config, grants: GrantMap, scopes: readonly string[]): Record<string, unknown> {
  const url = (path: string) => config.issuer + path;
  const authMethods = ['client_secret_basic', 'client_secret_post'];
  return {
    issuer: config.issuer,
    authorization_endpoint: url(config.paths.authorization),
    token_endpoint: url(config.paths.token),
    revocation_endpoint: url(config.paths.revocation),
    introspection_endpoint: url(config.paths.introspection),
    userinfo_endpoint: url(config.paths.userinfo),
    jwks_uri: url(config.paths.jwks),
    // RFC 8414 §2 lets a server omit scopes it does not advertise: admin is Latchkey's own, not for clients to discover.
    scopes_supported: scopes.filter((s) => s !== ADMIN_SCOPE),
    response_types_supported: config.features.implicit ? ['code', 'token'] : ['code'],
    response_modes_supported: ['query', 'fragment', 'form_post'],
    grant_types_supported: [...grants.keys(), ...(config.features.implicit ? ['implicit'] : [])],
    token_endpoint_auth_methods_supported: [...authMethods, 'none'],
    revocation_endpoint_auth_methods_supported: [...authMethods, 'none'],
    introspection_endpoint_auth_methods_supported: authMethods,
    code_challenge_methods_supported: config.pkce.allowPlain ? ['S256', 'plain'] : ['S256'],
    authorization_response_iss_parameter_supported: true,
    prompt_values_supported: ['none', 'login', 'consent'],
  };
}
