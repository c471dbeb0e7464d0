import { oidcMetadata, type Client } from '../model.ts';
import { REGISTRABLE_AUTH_METHODS } from './metadata.ts';

/** The path of a registered client's configuration endpoint (RFC 7592 §2): registration_client_uri. */
export const REGISTRATION_PATH = '/register';
export const registrationClientUri = (issuer: string, clientId: string): string => `${issuer}${REGISTRATION_PATH}/${encodeURIComponent(clientId)}`;

/** The method a client authenticates with: its keys' (private_key_jwt), else as registered, else its type's default. */
export const authMethodOf = (c: Client) => c.assertionAuth?.method ?? c.tokenEndpointAuthMethod ?? (c.type === 'public' ? 'none' : 'client_secret_basic');

/**
 * The client information response (RFC 7591 §3.2.1, RFC 7592 §3): client_id, the registration access token's URI and
 * every registered member, as registered (which may differ from the request, §3.2.1). `secrets` only when issued: the
 * client_secret and the registration access token are shown once, when made, and stored only as hashes.
 */
export function clientInformation(c: Client, issuer: string, secrets: { clientSecret?: string | undefined; registrationAccessToken?: string | undefined } = {}): Record<string, unknown> {
  const o = oidcMetadata(c);
  const d = c.registrationMetadata ?? {};
  const method = authMethodOf(c);
  const out: Record<string, unknown> = {
    client_id: c.id,
    client_id_issued_at: c.createdAt,
  };
  if (secrets.clientSecret !== undefined) out['client_secret'] = secrets.clientSecret;
  // §3.2.1: REQUIRED when a secret was issued; 0: it does not expire.
  if (method === 'client_secret_jwt' || REGISTRABLE_AUTH_METHODS[method].secret) out['client_secret_expires_at'] = 0;
  if (secrets.registrationAccessToken !== undefined) out['registration_access_token'] = secrets.registrationAccessToken;
  out['registration_client_uri'] = registrationClientUri(issuer, c.id);
  Object.assign(out, {
    client_name: c.name,
    redirect_uris: c.redirectUris,
    token_endpoint_auth_method: method,
    grant_types: c.grantTypes,
    response_types: c.responseTypes,
    application_type: d.applicationType ?? 'web',
  });
  // OpenID Connect Registration 1.0 §2: the keys of a private_key_jwt client (RFC 7523 §2.2).
  const keys = c.assertionAuth;
  if (keys) {
    if (keys.signingAlg !== null) out['token_endpoint_auth_signing_alg'] = keys.signingAlg;
    if (keys.jwks !== null) out['jwks'] = keys.jwks;
    if (keys.jwksUri !== null) out['jwks_uri'] = keys.jwksUri;
  }
  // An empty list means "any scope but admin" (model.ts): then no scope member, as RFC 7591 §2 leaves it to the server.
  if (c.scopes.length > 0) out['scope'] = c.scopes.join(' ');
  const described = { client_uri: d.clientUri, logo_uri: d.logoUri, tos_uri: d.tosUri, policy_uri: d.policyUri, contacts: d.contacts, software_id: d.softwareId, software_version: d.softwareVersion };
  for (const [k, v] of Object.entries(described)) if (v !== undefined) out[k] = v;
  // OpenID Connect Registration §2: the members Latchkey acts on, where they differ from having none.
  out['subject_type'] = o.subjectType;
  out['require_auth_time'] = o.requireAuthTime;
  if (o.idTokenSignedResponseAlg !== null) out['id_token_signed_response_alg'] = o.idTokenSignedResponseAlg;
  if (o.userinfoSignedResponseAlg !== null) out['userinfo_signed_response_alg'] = o.userinfoSignedResponseAlg;
  if (o.defaultMaxAge !== null) out['default_max_age'] = o.defaultMaxAge;
  if (o.postLogoutRedirectUris.length > 0) out['post_logout_redirect_uris'] = o.postLogoutRedirectUris;
  if (o.backchannelLogoutUri !== null) {
    out['backchannel_logout_uri'] = o.backchannelLogoutUri;
    out['backchannel_logout_session_required'] = o.backchannelLogoutSessionRequired;
  }
  return out;
}
