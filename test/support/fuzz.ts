/**
 * A seeded request fuzzer for test/flows/fuzz.test.ts (issue 10): for each route family, requests built from that
 * family's endpoints with malformed encodings, huge and duplicated parameters, wrong content types, invalid UTF-8,
 * odd methods and paths, and with or without the credentials the family takes. Same seed, same requests.
 */

/** mulberry32: small, fast, and good enough to pick among a few options reproducibly. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

export type Family = 'oauth' | 'interaction' | 'console' | 'account' | 'admin' | 'profiles';
export const FAMILIES: readonly Family[] = ['oauth', 'interaction', 'console', 'account', 'admin', 'profiles'];

/** What the fuzzer may present: real credentials of the running server, and the ids that exist in it. */
export interface FuzzCredentials {
  /** Authorization header values that mean something to this family (a valid Bearer, Basic, ...). */
  authorization: readonly string[];
  /** Cookie headers of signed-in browsers for this family. */
  cookies: readonly string[];
  /** Valid CSRF tokens for those cookies' forms. */
  csrf: readonly string[];
  /** Real ids to put in `{id}` (applications, users, scopes, interactions). */
  ids: readonly string[];
}

export interface FuzzRequest {
  family: Family;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Uint8Array;
  /** A short description for a failure message. */
  label: string;
}

/** An endpoint, and a valid request's parameters to start from half the time, so the fuzz reaches past refusals. */
type Endpoint = readonly [method: string, path: string, baseline?: string];

const AUTHORIZE = `response_type=code&client_id=spa&redirect_uri=${encodeURIComponent('https://spa.example/cb')}&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&state=s`;
const CLIENT_CREDENTIALS = 'grant_type=client_credentials';

/** Each family's endpoints; `{id}` is filled with a real id or junk. */
export const ENDPOINTS: Readonly<Record<Family, readonly Endpoint[]>> = {
  oauth: [['POST', '/oauth2/token', CLIENT_CREDENTIALS], ['POST', '/oauth2/revoke', 'token=lk_at_x'], ['POST', '/oauth2/introspect', 'token=lk_at_x'], ['GET', '/userinfo'], ['POST', '/userinfo'], ['GET', '/.well-known/oauth-authorization-server']],
  interaction: [['GET', '/oauth2/authorize', AUTHORIZE], ['POST', '/oauth2/authorize', AUTHORIZE], ['GET', '/interaction/{id}'], ['POST', '/interaction/{id}/login'], ['POST', '/interaction/{id}/consent'], ['GET', '/logout'], ['POST', '/logout'], ['GET', '/demo/callback']],
  console: [
    ['GET', '/console'], ['GET', '/console/login'], ['GET', '/console/callback'], ['GET', '/console/signed-out'], ['GET', '/console/assets/console.js'],
    ['GET', '/console/applications'], ['POST', '/console/applications'], ['GET', '/console/applications/new'], ['GET', '/console/applications/{id}'], ['POST', '/console/applications/{id}'],
    ['GET', '/console/applications/{id}/rotate'], ['POST', '/console/applications/{id}/rotate'], ['GET', '/console/applications/{id}/delete'],
    ['GET', '/console/users'], ['POST', '/console/users'], ['GET', '/console/users/new'], ['GET', '/console/users/{id}'], ['POST', '/console/users/{id}'], ['POST', '/console/users/{id}/reset-password'],
    ['GET', '/console/scopes'], ['POST', '/console/scopes'], ['GET', '/console/scopes/{id}'], ['POST', '/console/scopes/{id}'], ['GET', '/console/settings'], ['POST', '/console/settings'],
    ['GET', '/console/grants'], ['POST', '/console/grants/{id}/revoke'], ['GET', '/console/sessions'], ['POST', '/console/sessions/{id}/revoke'], ['GET', '/console/audit'],
  ],
  account: [['GET', '/account'], ['GET', '/account/callback'], ['POST', '/account/password'], ['POST', '/account/applications/{id}/revoke']],
  admin: [
    ['GET', '/admin/api/v1/openapi.json'], ['GET', '/admin/api/v1/applications'], ['POST', '/admin/api/v1/applications'], ['GET', '/admin/api/v1/applications/{id}'], ['PATCH', '/admin/api/v1/applications/{id}'],
    ['POST', '/admin/api/v1/applications/{id}/rotate-secret'], ['GET', '/admin/api/v1/users'], ['POST', '/admin/api/v1/users'], ['GET', '/admin/api/v1/users/{id}'], ['PATCH', '/admin/api/v1/users/{id}'],
    ['POST', '/admin/api/v1/users/{id}/reset-password'], ['GET', '/admin/api/v1/scopes'], ['PUT', '/admin/api/v1/scopes/{id}'], ['GET', '/admin/api/v1/settings/tokens'], ['PATCH', '/admin/api/v1/settings/tokens'],
    ['GET', '/admin/api/v1/grants'], ['GET', '/admin/api/v1/sessions'], ['GET', '/admin/api/v1/audit-events'], ['DELETE', '/admin/api/v1/grants/{id}'], ['DELETE', '/admin/api/v1/sessions/{id}'],
  ],
  profiles: [
    ['GET', '/index.php?option=token&api=oauth2', AUTHORIZE], ['POST', '/index.php?option=token&api=oauth2', CLIENT_CREDENTIALS], ['GET', '/kraken/oauth2/authorize', AUTHORIZE], ['POST', '/kraken/oauth2/token', CLIENT_CREDENTIALS],
    ['GET', '/oauth', AUTHORIZE], ['POST', '/oauth/access_token', CLIENT_CREDENTIALS], ['GET', '/login/oauth/authorize', AUTHORIZE], ['POST', '/login/oauth/access_token', CLIENT_CREDENTIALS],
  ],
};

const NAMES = [
  'client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'code', 'code_challenge', 'code_challenge_method', 'grant_type', 'refresh_token',
  'client_secret', 'code_verifier', 'token', 'token_type_hint', 'access_token', 'prompt', 'response_mode', 'nonce', 'return', 'csrf', 'decision',
  'username', 'password', 'q', 'cursor', 'limit', 'notice', 'error', 'error_description', 'name', 'id', 'redirectUris', 'grantTypes', 'responseTypes',
  'scopes', 'type', 'description', 'claims', 'accessTokenTtl', 'refreshTokenTtl', 'email', 'admin', 'disabled', 'currentPassword', 'newPassword',
  'confirmPassword', 'option', 'api', 'back', '__proto__', 'constructor', 'toString', 'hasOwnProperty',
] as const;

/** Values sent percent-encoded, as a client would. */
const VALUES = [
  '', 'x', 'web-app', 'spa', 'admin-cli', 'https://client.example/callback', 'http://127.0.0.1/cb', 'code', 'token', 'code token', 'openid profile',
  'admin', 'openid,profile', 'client_credentials', 'authorization_code', 'refresh_token', 'password', 'S256', 'plain', 'none', 'login consent',
  'form_post', 'fragment', 'allow', 'deny', 'root', 'alice', '<script>alert(1)</script>', '"\'><img src=x>', '\u{1F600}\u0301', 'a\u0000b',
  '../../etc/passwd', 'null', '-1', '0', '1e309', '99999999999999999999', 'never', 'true', 'lk_at_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
  'lk_rt_x', 'lk_ac_x', 'javascript:alert(1)', 'file:///etc/passwd', 'https://evil.example/', '/console/applications', '//evil.example',
  ' ', '\t\n', 'é'.repeat(300),
] as const;

/** Values inserted as they are: broken encodings. */
const RAW_VALUES = ['%zz', '%', '%E0%A4%A', '%FF%FE', '%C3%28', '%ED%A0%80', '%00', '%%%', '+%2B+', '%u0041', '=', '=='] as const;

function value(rng: Rng, extra: readonly string[]): string {
  const r = rng.next();
  if (r < 0.15) return rng.pick(RAW_VALUES);
  if (r < 0.2) return encodeURIComponent(rng.pick(['a', 'é', '%']).repeat(rng.pick([1000, 10_000, 20_000])));
  if (r < 0.35 && extra.length > 0) return encodeURIComponent(rng.pick(extra));
  return encodeURIComponent(rng.pick(VALUES));
}

function name(rng: Rng): string {
  const r = rng.next();
  if (r < 0.06) return rng.pick(RAW_VALUES);
  if (r < 0.1) return encodeURIComponent(rng.pick(['', 'a[b]', 'a.b', 'x'.repeat(500), '\u{1F600}']));
  return rng.pick(NAMES);
}

/** Encoded name=value pairs: a valid request with a little noise, or noise; sometimes duplicated or hundreds. */
function pairs(rng: Rng, extra: readonly string[], csrf: readonly string[], baseline?: string): [string, string][] {
  const r = rng.next();
  if (r < 0.04) return Array.from({ length: rng.pick([501, 2000]) }, (_, i) => [`k${i}`, 'v']);
  if (r < 0.08) return Array.from({ length: 3000 }, () => ['a', '']);
  const valid = baseline !== undefined && rng.chance(0.5);
  const out: [string, string][] = valid ? baseline.split('&').map((p) => p.split('=', 2) as [string, string]) : [];
  for (let i = rng.int(valid ? 3 : 7); i > 0; i--) out.push([name(rng), value(rng, extra)]);
  if (csrf.length > 0 && rng.chance(0.6)) out.push(['csrf', encodeURIComponent(rng.pick(csrf))]);
  if (out.length > 0 && rng.chance(0.15)) out.push(rng.pick(out));
  return out;
}

const urlencoded = (p: [string, string][]) => p.map(([k, v]) => (v === '' ? k : `${k}=${v}`)).join('&');
const decodedOr = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};
const bytes = (s: string) => new TextEncoder().encode(s);

function jsonBody(rng: Rng, p: [string, string][]): string {
  const r = rng.next();
  if (r < 0.08) return `${'['.repeat(5000)}${']'.repeat(5000)}`;
  if (r < 0.14) return rng.pick(['{', '[]', 'null', '"x"', '42', '{"a":1,}', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}', '']);
  const members = p.map(([k, v]) => {
    const key = JSON.stringify(decodedOr(k));
    const which = rng.int(8);
    const val = which === 0 ? '123' : which === 1 ? 'true' : which === 2 ? 'null' : which === 3 ? `[${JSON.stringify(decodedOr(v))}]` : which === 4 ? '{"a":{"b":[]}}' : JSON.stringify(decodedOr(v));
    return `${key}:${val}`;
  });
  return `{${members.join(',')}}`;
}

function multipartBody(rng: Rng, p: [string, string][], boundary: string): string {
  const parts = p.map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${decodedOr(k).replace(/["\r\n]/g, '')}"\r\n\r\n${decodedOr(v)}\r\n`);
  if (rng.chance(0.15)) parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhello\r\n`);
  if (rng.chance(0.1)) return parts.join('');
  return `${parts.join('')}--${boundary}--\r\n`;
}

const ODD_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'FOO'] as const;

function fillPath(rng: Rng, path: string, ids: readonly string[]): string {
  let out = path.replace('{id}', () =>
    ids.length > 0 && rng.chance(0.5) ? encodeURIComponent(rng.pick(ids)) : rng.chance(0.5) ? rng.pick(RAW_VALUES) : encodeURIComponent(rng.pick(VALUES)).slice(0, 200),
  );
  const r = rng.next();
  if (r < 0.04) out += '/';
  else if (r < 0.07) out = out.replace(/\/([^/]*)$/, '//$1');
  else if (r < 0.1) out += rng.pick(['%zz', '%00', '%2F..%2F', `/${'x'.repeat(300)}`]);
  return out;
}

/** One request of `family`, from the generator's current state. */
export function fuzzRequest(rng: Rng, family: Family, creds: FuzzCredentials): FuzzRequest {
  const [baseMethod, basePath, baseline] = rng.pick(ENDPOINTS[family]);
  const method = rng.chance(0.85) ? baseMethod : rng.pick(ODD_METHODS);
  let path = fillPath(rng, basePath, creds.ids);
  const extra = [...creds.ids];
  if (rng.chance(baseMethod === 'GET' && baseline !== undefined ? 0.9 : 0.5)) {
    const query = urlencoded(pairs(rng, extra, method === 'GET' ? creds.csrf : [], baseMethod === 'GET' ? baseline : undefined));
    if (query !== '') path += `${path.includes('?') ? '&' : '?'}${query}`;
  }
  if (path.length > 12_000) path = path.slice(0, 12_000);

  const headers: Record<string, string> = {};
  const auth = rng.next();
  if (auth < 0.45 && creds.authorization.length > 0) headers['authorization'] = rng.pick(creds.authorization);
  else if (auth < 0.6) headers['authorization'] = rng.pick(['Bearer', 'Bearer a b', 'Basic !!!', `Basic ${Buffer.from('%zz:%E0').toString('base64')}`, `Bearer ${'t'.repeat(4000)}`, 'Digest x', 'Basic']);
  if (creds.cookies.length > 0 && rng.chance(0.7)) headers['cookie'] = rng.pick(creds.cookies);
  else if (rng.chance(0.2)) headers['cookie'] = rng.pick(['lk_console=%zz', 'lk_session=%E0%A4%A; lk_browser=%FF', `lk_console=${'x'.repeat(3000)}`, ';=;=;']);
  if (rng.chance(0.05)) headers['x-forwarded-for'] = '<<<, ::ffff:999.1.1.1';

  let body: Uint8Array | undefined;
  let type = 'none';
  if (method !== 'GET' && method !== 'HEAD' && rng.chance(0.9)) {
    const p = pairs(rng, extra, creds.csrf, baseMethod === 'GET' ? undefined : baseline);
    const kind = rng.next();
    if (kind < 0.45) {
      type = 'form';
      headers['content-type'] = rng.chance(0.9) ? 'application/x-www-form-urlencoded' : rng.pick(['application/x-www-form-urlencoded; charset=latin1', 'Application/X-WWW-Form-Urlencoded']);
      body = rng.chance(0.08) ? new Uint8Array([0x61, 0x3d, 0xff, 0xfe, 0xc3, 0x28]) : bytes(urlencoded(p));
    } else if (kind < 0.7) {
      type = 'json';
      headers['content-type'] = rng.chance(0.9) ? 'application/json' : 'application/json; charset=utf-8';
      body = rng.chance(0.05) ? new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]) : bytes(jsonBody(rng, p));
    } else if (kind < 0.85) {
      type = 'multipart';
      const boundary = 'fuzz';
      headers['content-type'] = rng.chance(0.9) ? `multipart/form-data; boundary=${boundary}` : 'multipart/form-data';
      body = bytes(multipartBody(rng, p, boundary));
    } else if (kind < 0.95) {
      type = 'odd type';
      headers['content-type'] = rng.pick(['text/plain', 'application/xml', 'application/jsonx', 'x'.repeat(500), '*/*', 'application/x-www-form-urlencoded-x']);
      body = bytes(urlencoded(p));
    } else {
      type = 'too large';
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = bytes(`a=${'b'.repeat(70 * 1024)}`);
    }
  }
  return { family, method, path, headers, ...(body ? { body } : {}), label: `${method} ${path.slice(0, 160)} [${type}]` };
}
