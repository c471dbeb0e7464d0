import { GRANT_TYPES, normalizeResponseType, type RegistrationMetadata, type ResponseType, type TokenEndpointAuthMethod } from '../model.ts';
import { InvalidClientMetadata } from '../errors.ts';

/**
 * The client metadata of RFC 7591 §2 (and OpenID Connect Registration 1.0 §2) as sent, read into Latchkey's terms.
 * Members Latchkey acts on go to `application` under the admin API's names, unchecked: the one set of application
 * rules (admin/application-schemas.ts, admin/applications.ts) judges them, and `WIRE_NAMES` names a refused one as the
 * client sent it. The descriptive members are checked here. Members it does not know are ignored (RFC 7591 §2).
 */

/**
 * token_endpoint_auth_method values this server registers: `secret` says whether the method needs a client_secret
 * issued, `type` what kind of client it makes. private_key_jwt (RFC 7523 §2.2) registers its keys instead (jwks or
 * jwks_uri, OpenID Connect Registration 1.0 §2), judged by client-auth/metadata.ts clientAuthProblems like every
 * other way of making a client. client_secret_jwt is not offered: secrets are stored hashed and cannot key an HMAC.
 */
export type RegistrableAuthMethod = Exclude<TokenEndpointAuthMethod, 'client_secret_jwt'>;
export const REGISTRABLE_AUTH_METHODS: Readonly<Record<RegistrableAuthMethod, { type: 'confidential' | 'public'; secret: boolean }>> = {
  client_secret_basic: { type: 'confidential', secret: true },
  client_secret_post: { type: 'confidential', secret: true },
  private_key_jwt: { type: 'confidential', secret: false },
  none: { type: 'public', secret: false },
};
const isAuthMethod = (v: unknown): v is RegistrableAuthMethod => typeof v === 'string' && Object.hasOwn(REGISTRABLE_AUTH_METHODS, v);

/** Admin API field -> RFC 7591 / OpenID Connect Registration member, for members copied to `application` as sent. */
const COPIED_MEMBERS = {
  name: 'client_name',
  idTokenSignedResponseAlg: 'id_token_signed_response_alg',
  userinfoSignedResponseAlg: 'userinfo_signed_response_alg',
  subjectType: 'subject_type',
  defaultMaxAge: 'default_max_age',
  requireAuthTime: 'require_auth_time',
  postLogoutRedirectUris: 'post_logout_redirect_uris',
  backchannelLogoutUri: 'backchannel_logout_uri',
  backchannelLogoutSessionRequired: 'backchannel_logout_session_required',
  tokenEndpointAuthSigningAlg: 'token_endpoint_auth_signing_alg',
  jwks: 'jwks',
  jwksUri: 'jwks_uri',
} as const;

/** Admin API field -> RFC 7591 / OpenID Connect Registration member, to name a refused field as the client sent it. */
export const WIRE_NAMES: Readonly<Record<string, string>> = {
  ...COPIED_MEMBERS,
  redirectUris: 'redirect_uris',
  grantTypes: 'grant_types',
  responseTypes: 'response_types',
  scopes: 'scope',
  type: 'token_endpoint_auth_method',
  tokenEndpointAuthMethod: 'token_endpoint_auth_method',
};

/** What a registration request asks for, before the operator's policy and the application rules judge it. */
export interface RequestedClient {
  applicationType: 'web' | 'native';
  authMethod: RegistrableAuthMethod;
  /** Undefined when the client sent none: the policy decides (RFC 7591 §2 `scope`). */
  scopes: string[] | undefined;
  /** Members for the admin API's application schema, as sent (unchecked). */
  application: Record<string, unknown>;
  described: RegistrationMetadata;
  /** RFC 7592 §2.2: the client_id and client_secret a replacement may carry. */
  clientId: unknown;
  clientSecret: unknown;
}

const fail = (member: string, why: string): never => {
  throw new InvalidClientMetadata(`${member}: ${why}`);
};

/** RFC 7591 §2: client_uri, tos_uri, policy_uri, logo_uri are URLs; a page a person opens, so https only. */
function webPage(body: Record<string, unknown>, member: string): string | undefined {
  const v = body[member];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') return fail(member, 'must be a URL string');
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return fail(member, 'must be an absolute URL');
  }
  if (url.protocol !== 'https:') return fail(member, 'must use https');
  if (v.length > 2000) return fail(member, 'at most 2000 characters');
  return v;
}

function text(body: Record<string, unknown>, member: string): string | undefined {
  const v = body[member];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v.length > 200) return fail(member, 'must be a string of at most 200 characters');
  return v;
}

/** RFC 6749 §3.3 scope tokens: printable ASCII without space, quote or backslash. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** A list member given as a JSON array; left as sent (the application schema checks the items). */
function list(body: Record<string, unknown>, member: string): unknown {
  const v = body[member];
  if (v !== undefined && !Array.isArray(v)) fail(member, 'must be a JSON array');
  return v;
}

/** RFC 8252 §7.1, §7.3: where only an app on the device can listen. */
const onDevice = (uri: unknown): boolean =>
  typeof uri === 'string' && (/^http:\/\/(127\.0\.0\.1|\[::1\])(:\d+)?\//.test(uri) || /^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:/i.test(uri));

/**
 * OpenID Connect Registration §2 defaults application_type to web, but RFC 7591 has no such member, and its clients
 * (MCP clients among them) leave it out: a client whose every redirect URI is loopback or a private-use scheme can
 * only be an app on the device, so it is taken for native. Any other client is web.
 */
function inferredApplicationType(uris: unknown): 'web' | 'native' {
  return Array.isArray(uris) && uris.length > 0 && uris.every(onDevice) ? 'native' : 'web';
}

/** Reads an RFC 7591 §3.1 request body (or an RFC 7592 §2.2 replacement): a JSON object of client metadata. */
export function readClientMetadata(raw: unknown, options: { implicitAllowed: boolean }): RequestedClient {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('body', 'must be a JSON object of client metadata');
  const body = raw as Record<string, unknown>;

  const appType = body['application_type'] ?? inferredApplicationType(body['redirect_uris']);
  if (appType !== 'web' && appType !== 'native') return fail('application_type', 'must be web or native');
  const method = body['token_endpoint_auth_method'];
  if (method !== undefined && !isAuthMethod(method)) {
    return fail('token_endpoint_auth_method', `this server registers ${Object.keys(REGISTRABLE_AUTH_METHODS).join(', ')}`);
  }
  // Native apps cannot keep a secret (RFC 8252 §8.5): public by default; web clients take RFC 7591 §2's default.
  const authMethod: RegistrableAuthMethod = method ?? (appType === 'native' ? 'none' : 'client_secret_basic');

  const scope = body['scope'];
  let scopes: string[] | undefined;
  if (scope !== undefined) {
    if (typeof scope !== 'string') return fail('scope', 'must be a string of space-separated scope values');
    scopes = [...new Set(scope.split(' ').filter(Boolean))];
    if (scopes.some((s) => !SCOPE_TOKEN.test(s))) return fail('scope', 'uses characters RFC 6749 §3.3 does not allow');
  }

  const responseTypes = list(body, 'response_types');
  let normalized: unknown = responseTypes;
  if (Array.isArray(responseTypes)) {
    normalized = responseTypes.map((rt: unknown): ResponseType => {
      const n = typeof rt === 'string' ? normalizeResponseType(rt) : undefined;
      // Without features.implicit only code is served (RFC 9700 §2.1.2), so only code can be registered.
      if (n === undefined || (n !== 'code' && !options.implicitAllowed)) return fail('response_types', `${String(rt)} is not supported here`);
      return n;
    });
  }
  const grantTypes = list(body, 'grant_types');
  if (Array.isArray(grantTypes)) {
    const unknown = grantTypes.filter((g) => !(GRANT_TYPES as readonly unknown[]).includes(g));
    if (unknown.length > 0) fail('grant_types', `not supported here: ${unknown.map(String).join(', ')} (use ${GRANT_TYPES.join(', ')})`);
  }
  const contacts = list(body, 'contacts');
  if (Array.isArray(contacts) && (contacts.length > 20 || contacts.some((c) => typeof c !== 'string' || c.length > 200))) {
    fail('contacts', 'must be at most 20 strings');
  }

  const application: Record<string, unknown> = {
    type: REGISTRABLE_AUTH_METHODS[authMethod].type,
    // RFC 7591 §2: without grant_types the client uses only authorization_code; response_types defaults to code.
    grantTypes: grantTypes ?? ['authorization_code'],
    responseTypes: normalized ?? ['code'],
    redirectUris: body['redirect_uris'] ?? [],
    tokenEndpointAuthMethod: authMethod,
  };
  for (const [field, member] of Object.entries(COPIED_MEMBERS)) if (body[member] !== undefined) application[field] = body[member];

  const described: RegistrationMetadata = { applicationType: appType };
  const pages = { clientUri: 'client_uri', logoUri: 'logo_uri', tosUri: 'tos_uri', policyUri: 'policy_uri' } as const;
  for (const [field, member] of Object.entries(pages)) {
    const v = webPage(body, member);
    if (v !== undefined) described[field as keyof typeof pages] = v;
  }
  const softwareId = text(body, 'software_id');
  const softwareVersion = text(body, 'software_version');
  if (softwareId !== undefined) described.softwareId = softwareId;
  if (softwareVersion !== undefined) described.softwareVersion = softwareVersion;
  if (Array.isArray(contacts)) described.contacts = contacts as string[];

  return { applicationType: appType, authMethod, scopes, application, described, clientId: body['client_id'], clientSecret: body['client_secret'] };
}
