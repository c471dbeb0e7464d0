import type { Config } from '../config/schema.ts';
import { ASSERTION_ALGS, HMAC_ASSERTION_ALGS } from './client-auth/algorithms.ts';
import { CLIENT_AUTH_METHODS } from './client-auth/authenticate.ts';
import { SIGNING_ALGS } from './keys/algorithms.ts';
import { RESPONSE_TYPES, type Scope } from './model.ts';
import { supportedAcrValues } from './oidc/acr.ts';
import { ID_TOKEN_CLAIMS } from './oidc/id-token.ts';
import { END_SESSION_PATH } from './oidc/logout.ts';
import { PROMPT_VALUES } from './authorize/oidc-params.ts';
import { REGISTRATION_PATH } from './registration/response.ts';
import { ADMIN_SCOPE } from './scope.ts';
import type { GrantMap } from './token/grant.ts';

/**
 * Authorization server metadata: ONE object served twice, as RFC 8414 §2 (/.well-known/oauth-authorization-server)
 * and as OpenID Connect Discovery 1.0 §3 (/.well-known/openid-configuration, §4), so the two cannot disagree.
 * Truthful about what this server does: a field is left out rather than claim something not there.
 */
export function discoveryDocument(config: Config, grants: GrantMap, scopes: readonly Scope[]): Record<string, unknown> {
  const url = (path: string) => config.issuer + path;
  const authMethods = [...CLIENT_AUTH_METHODS];
  // RFC 8414 §2: the algorithms of both assertion methods, asymmetric for private_key_jwt, HMAC for client_secret_jwt.
  const assertionAlgs = [...ASSERTION_ALGS, ...HMAC_ASSERTION_ALGS];
  // RFC 8414 §2 lets a server omit scopes it does not advertise: admin is Latchkey's own, not for clients to discover.
  const published = scopes.filter((s) => s.name !== ADMIN_SCOPE);
  const userClaims = new Set(published.flatMap((s) => s.claims));
  return {
    issuer: config.issuer,
    authorization_endpoint: url(config.paths.authorization),
    token_endpoint: url(config.paths.token),
    // RFC 8628 §4: where devices start the device authorization grant (its grant_type is in grant_types_supported).
    device_authorization_endpoint: url(config.paths.deviceAuthorization),
    revocation_endpoint: url(config.paths.revocation),
    introspection_endpoint: url(config.paths.introspection),
    userinfo_endpoint: url(config.paths.userinfo),
    // RP-Initiated Logout 1.0 §2.1.
    end_session_endpoint: url(END_SESSION_PATH),
    // Back-Channel Logout 1.0 §2.1: logout tokens are sent, and always carry sid (§2.4).
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
    jwks_uri: url(config.paths.jwks),
    // RFC 8414 §2 / Discovery §3: only when clients may register themselves (config registration.mode).
    ...(config.registration.mode === 'off' ? {} : { registration_endpoint: url(REGISTRATION_PATH) }),
    // RFC 9449 §5.1: the proof algorithms accepted; left out when DPoP is off.
    ...(config.dpop.enabled ? { dpop_signing_alg_values_supported: [...config.dpop.algorithms] } : {}),
    scopes_supported: published.map((s) => s.name),
    response_types_supported: config.features.implicit ? [...RESPONSE_TYPES] : ['code'],
    response_modes_supported: ['query', 'fragment', 'form_post'],
    grant_types_supported: [...grants.keys(), ...(config.features.implicit ? ['implicit'] : [])],
    // Discovery §3 REQUIRED (Core §8): public always; pairwise once the server has the salt it needs (§8.1).
    subject_types_supported: config.oidc.pairwiseSalt === undefined ? ['public'] : ['public', 'pairwise'],
    // Discovery §3 REQUIRED, and RS256 MUST be among them.
    id_token_signing_alg_values_supported: [...SIGNING_ALGS],
    userinfo_signing_alg_values_supported: [...SIGNING_ALGS],
    token_endpoint_auth_methods_supported: [...authMethods, 'none'],
    revocation_endpoint_auth_methods_supported: [...authMethods, 'none'],
    introspection_endpoint_auth_methods_supported: authMethods,
    // RFC 8414 §2: REQUIRED with private_key_jwt and client_secret_jwt (client-auth/algorithms.ts).
    token_endpoint_auth_signing_alg_values_supported: assertionAlgs,
    revocation_endpoint_auth_signing_alg_values_supported: assertionAlgs,
    introspection_endpoint_auth_signing_alg_values_supported: assertionAlgs,
    // Discovery §3 RECOMMENDED: the claims this server can supply (those of the ID token and of the scopes).
    claims_supported: [...new Set(['sub', ...ID_TOKEN_CLAIMS, ...userClaims])],
    // Discovery §3 OPTIONAL: only the levels a sign-in here can reach today (core/oidc/acr.ts), not those planned.
    acr_values_supported: supportedAcrValues(),
    claims_parameter_supported: true,
    // RFC 9101 §10.1-10.2, Core §6: signed request objects by value; by reference only the URNs of our own pushed
    // authorization request endpoint (RFC 9126 §2.2), never a URI to fetch, so registration of those is moot.
    request_parameter_supported: true,
    // Discovery §3: "Servers SHOULD support none and RS256"; unsigned objects are plain parameters, so none is
    // offered unless every client must sign (RFC 9101 §10.5).
    request_object_signing_alg_values_supported: [...(config.requestObjects.requireSigned ? [] : ['none']), ...config.requestObjects.algorithms],
    request_uri_parameter_supported: true,
    require_request_uri_registration: true,
    require_signed_request_object: config.requestObjects.requireSigned,
    // RFC 9126 §5.
    pushed_authorization_request_endpoint: url(config.paths.pushedAuthorizationRequest),
    require_pushed_authorization_requests: config.pushedAuthorizationRequests.required,
    code_challenge_methods_supported: config.pkce.allowPlain ? ['S256', 'plain'] : ['S256'],
    authorization_response_iss_parameter_supported: true,
    prompt_values_supported: [...PROMPT_VALUES],
    // draft-ietf-oauth-client-id-metadata-document §5 (metadata): an https URL may be used as client_id.
    ...(config.clientMetadataDocuments.enabled ? { client_id_metadata_document_supported: true } : {}),
  };
}
