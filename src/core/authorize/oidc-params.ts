import { InvalidRequest, OAuthError, RequestNotSupported, RequestUriNotSupported } from '../errors.ts';
import type { Params } from '../context.ts';
import type { AcrRequest } from '../oidc/acr.ts';

/** Core §3.1.2.1 prompt values. select_account shows the login page, offering the signed-in user. */
export const PROMPT_VALUES = ['none', 'login', 'consent', 'select_account'] as const;
export type Prompt = (typeof PROMPT_VALUES)[number];

/** Core §5.5: the individual claims requested, by where they go; the members' values (essential...) are not used. */
export interface ClaimsRequest {
  userinfo: string[];
  idToken: string[];
}

/** The OpenID Connect members of an authorization request (Core §3.1.2.1), checked after the OAuth ones. */
export interface OidcRequest {
  prompt: Prompt[];
  nonce?: string | undefined;
  /** Seconds: a session older than this must sign in again (Core §3.1.2.1 max_age). */
  maxAge?: number | undefined;
  loginHint?: string | undefined;
  idTokenHint?: string | undefined;
  claims?: ClaimsRequest | undefined;
  /** acr_values (Core §3.1.2.1, voluntary), or the claims parameter's id_token.acr member (§5.5.1.1), which wins. */
  acr?: AcrRequest | undefined;
}

const MAX_NONCE = 512;
const MAX_CLAIMS_JSON = 4096;
const MAX_ACR_VALUES = 1024;

const memberNames = (value: unknown, where: string): string[] => {
  if (value === undefined || value === null) return [];
  if (typeof value !== 'object' || Array.isArray(value)) throw new InvalidRequest(`claims.${where} must be a JSON object`);
  return Object.keys(value);
};

/**
 * Core §5.5.1: a requested claim is null or an object with `essential`, `value` and `values`. Only acr's are used
 * (§5.5.1.1); they are checked so that a malformed essential request is refused rather than silently ignored.
 */
function acrMember(value: unknown): AcrRequest | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new InvalidRequest('claims.id_token.acr must be null or a JSON object');
  const { essential, value: one, values } = value as Record<string, unknown>;
  if (essential !== undefined && typeof essential !== 'boolean') throw new InvalidRequest('claims.id_token.acr.essential must be true or false');
  if (one !== undefined && typeof one !== 'string') throw new InvalidRequest('claims.id_token.acr.value must be a string');
  if (values !== undefined && !(Array.isArray(values) && values.every((v) => typeof v === 'string'))) {
    throw new InvalidRequest('claims.id_token.acr.values must be an array of strings');
  }
  return { essential: essential === true, values: one !== undefined ? [one] : ((values as string[] | undefined) ?? []) };
}

/** Core §5.5: a JSON object whose userinfo and id_token members name claims; other members are ignored (§5.5). */
export function parseClaimsRequest(raw: string): ClaimsRequest & { acr?: AcrRequest | undefined } {
  if (raw.length > MAX_CLAIMS_JSON) throw new InvalidRequest(`claims is longer than ${MAX_CLAIMS_JSON} characters`);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new InvalidRequest('claims must be a JSON object (OpenID Connect Core §5.5)');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidRequest('claims must be a JSON object (OpenID Connect Core §5.5)');
  const v = value as Record<string, unknown>;
  const idToken = memberNames(v['id_token'], 'id_token');
  const acr = idToken.includes('acr') ? acrMember((v['id_token'] as Record<string, unknown>)['acr']) : undefined;
  return { userinfo: memberNames(v['userinfo'], 'userinfo'), idToken, acr };
}

/**
 * The checks of Core §3.1.2.1 and §6, in order. Request objects and our pushed request_uris were unpacked before
 * (par.ts resolveAuthorizationParams); what is left is refused with its own code (Core §3.1.2.6): a request_uri to
 * fetch from elsewhere is not supported (the metadata says require_request_uri_registration).
 */
export function validateOidcParams(params: Params): OidcRequest {
  if (params['request'] !== undefined) throw new RequestNotSupported('request objects are only accepted as the request parameter itself');
  if (params['request_uri'] !== undefined) throw new RequestUriNotSupported('only request_uris from the pushed authorization request endpoint are supported (RFC 9126)');

  // prompt: space-delimited; none cannot be combined with anything (Core §3.1.2.1).
  const prompt = (params['prompt'] ?? '').split(' ').filter(Boolean);
  if (prompt.some((p) => !(PROMPT_VALUES as readonly string[]).includes(p))) throw new InvalidRequest('prompt must be none, login, consent or select_account');
  if (prompt.includes('none') && prompt.length > 1) throw new InvalidRequest('prompt=none cannot be combined with other values');

  const nonce = params['nonce'];
  if (nonce !== undefined && nonce.length > MAX_NONCE) throw new InvalidRequest(`nonce is longer than ${MAX_NONCE} characters`);

  let maxAge: number | undefined;
  const rawMaxAge = params['max_age'];
  if (rawMaxAge !== undefined) {
    if (!/^[0-9]{1,10}$/.test(rawMaxAge)) throw new InvalidRequest('max_age must be a non-negative number of seconds');
    maxAge = Number(rawMaxAge);
  }

  // display (page, popup, touch, wap) and ui_locales are accepted; one page serves every display.
  const display = params['display'];
  if (display !== undefined && !['page', 'popup', 'touch', 'wap'].includes(display)) throw new InvalidRequest('display must be page, popup, touch or wap');

  let claims: ClaimsRequest | undefined;
  let acr: AcrRequest | undefined;
  try {
    const parsed = params['claims'] === undefined ? undefined : parseClaimsRequest(params['claims']);
    if (parsed) {
      claims = { userinfo: parsed.userinfo, idToken: parsed.idToken };
      acr = parsed.acr;
    }
  } catch (err) {
    throw err instanceof OAuthError ? err : new InvalidRequest('claims is invalid');
  }
  // Core §3.1.2.1 acr_values: space-separated, in order of preference; voluntary (§5.5.1.1 "not Essential").
  const acrValues = params['acr_values'];
  if (acrValues !== undefined && acrValues.length > MAX_ACR_VALUES) throw new InvalidRequest(`acr_values is longer than ${MAX_ACR_VALUES} characters`);
  acr ??= acrValues === undefined ? undefined : { essential: false, values: acrValues.split(' ').filter(Boolean) };
  return { prompt: prompt as Prompt[], nonce, maxAge, loginHint: params['login_hint'], idTokenHint: params['id_token_hint'], claims, acr };
}
