/**
 * Hostile request bodies of 64 KiB (issue 10, defect 1): the shapes that made a parser superlinear, and the routes
 * that take a body or a query, one of each family. Shared by test/flows/hostile-bodies.test.ts (every one gets a 4xx
 * while /healthz keeps being answered) and bench/hostile.ts (how long each one holds the event loop).
 */

export const KIB64 = 64 * 1024;

export interface HostileRoute {
  name: string;
  family: 'oauth' | 'interaction' | 'console' | 'account' | 'admin' | 'profiles';
  /** Where a body is posted. */
  post: string;
  /** Where a query string goes (a GET route of the family), if the family has one that reads it. */
  get?: string;
}

/** One route per way in: every family, and every route that parses a body before it checks anything else. */
export const HOSTILE_ROUTES: readonly HostileRoute[] = [
  { name: 'token', family: 'oauth', post: '/oauth2/token' },
  { name: 'revoke', family: 'oauth', post: '/oauth2/revoke' },
  { name: 'introspect', family: 'oauth', post: '/oauth2/introspect' },
  { name: 'userinfo', family: 'oauth', post: '/userinfo', get: '/userinfo' },
  { name: 'authorize', family: 'interaction', post: '/oauth2/authorize', get: '/oauth2/authorize' },
  { name: 'login', family: 'interaction', post: '/interaction/lk_ix_unknown/login', get: '/interaction/lk_ix_unknown' },
  { name: 'logout', family: 'interaction', post: '/logout' }, // GET /logout reads no query
  { name: 'console', family: 'console', post: '/console/users', get: '/console/login' },
  { name: 'account', family: 'account', post: '/account/password', get: '/account/callback' },
  { name: 'admin-api', family: 'admin', post: '/admin/api/v1/applications', get: '/admin/api/v1/applications' },
  { name: 'twitch-token', family: 'profiles', post: '/kraken/oauth2/token', get: '/kraken/oauth2/authorize' },
  { name: 'moltin-token', family: 'profiles', post: '/oauth/access_token', get: '/oauth' },
  { name: 'atomgit-token', family: 'profiles', post: '/login/oauth/access_token', get: '/login/oauth/authorize' },
  { name: 'redcore-token', family: 'profiles', post: '/index.php?option=token&api=oauth2', get: '/index.php' },
];

export interface HostileRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: Uint8Array;
}

export interface HostileShape {
  name: string;
  fits(route: HostileRoute): boolean;
  request(route: HostileRoute): HostileRequest;
}

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

/** `unit` repeated to fill `size` bytes (cut at a whole unit), between `head` and `tail`. */
function fill(unit: string, size: number, head = '', tail = ''): string {
  const n = Math.floor((size - head.length - tail.length) / unit.length);
  return head + unit.repeat(Math.max(0, n)) + tail;
}

/** `item(i)` for i = 0, 1, ... joined by `sep` while the whole stays within `size` bytes. */
function fillWith(item: (i: number) => string, sep: string, size: number, head = '', tail = ''): string {
  const parts: string[] = [];
  let length = head.length + tail.length;
  for (let i = 0; ; i++) {
    const next = item(i);
    if (length + next.length + sep.length > size) break;
    parts.push(next);
    length += next.length + sep.length;
  }
  return head + parts.join(sep) + tail;
}

const bytes = (s: string) => new TextEncoder().encode(s);

function bodyShape(name: string, contentType: string, make: () => Uint8Array): HostileShape {
  let cached: Uint8Array | undefined;
  return {
    name,
    fits: () => true,
    request: (route) => ({ method: 'POST', path: route.post, headers: { 'content-type': contentType }, body: (cached ??= make()) }),
  };
}

/** A query string of about 8 KiB: Node's default header limit is 16 KiB for the whole head. */
function queryShape(name: string, make: () => string): HostileShape {
  let cached: string | undefined;
  return {
    name,
    fits: (route) => route.get !== undefined,
    request: (route) => ({ method: 'GET', path: `${route.get ?? '/'}?${(cached ??= make())}`, headers: {} }),
  };
}

const boundary = 'hostile';
const part = (name: string, value: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;

export const HOSTILE_SHAPES: readonly HostileShape[] = [
  // application/x-www-form-urlencoded
  bodyShape('form a&a&a…', FORM, () => bytes(fill('a&', KIB64))),
  bodyShape('form a=1&a=1…', FORM, () => bytes(fill('a=1&', KIB64))),
  bodyShape('form k0&k1&k2…', FORM, () => bytes(fillWith((i) => `k${i}`, '&', KIB64))),
  bodyShape('form %41%41… run', FORM, () => bytes(fill('%41', KIB64, 'a='))),
  bodyShape('form %zz&%zz…', FORM, () => bytes(fill('%zz&', KIB64))),
  bodyShape('form +++… run', FORM, () => bytes(fill('+', KIB64, 'a='))),
  bodyShape('form &&&…', FORM, () => bytes(fill('&', KIB64))),
  bodyShape('form ===…', FORM, () => bytes(fill('=', KIB64))),
  bodyShape('form invalid UTF-8', FORM, () => new Uint8Array(KIB64).fill(0xff)),
  // application/json
  bodyShape('json [[[… deep', JSON_TYPE, () => bytes(fill('[', KIB64 / 2) + fill(']', KIB64 / 2))),
  bodyShape('json {"a":{"a":… deep', JSON_TYPE, () => {
    const n = Math.floor((KIB64 - 1) / 6);
    return bytes(`${'{"a":'.repeat(n)}1${'}'.repeat(n)}`);
  }),
  bodyShape('json many keys', JSON_TYPE, () => bytes(fillWith((i) => `"k${i}":""`, ',', KIB64, '{', '}'))),
  bodyShape('json one key repeated', JSON_TYPE, () => bytes(fillWith(() => '"a":""', ',', KIB64, '{', '}'))),
  bodyShape('json \\u escapes run', JSON_TYPE, () => bytes(fill('\\u0041', KIB64, '{"a":"', '"}'))),
  bodyShape('json many numbers', JSON_TYPE, () => bytes(fillWith(() => '1e1', ',', KIB64, '[', ']'))),
  // multipart/form-data
  bodyShape('multipart many parts', `multipart/form-data; boundary=${boundary}`, () => bytes(fillWith((i) => part(`f${i}`, 'v'), '', KIB64 - 12, '', `--${boundary}--\r\n`))),
  bodyShape('multipart one name repeated', `multipart/form-data; boundary=${boundary}`, () => bytes(fillWith(() => part('a', 'v'), '', KIB64 - 12, '', `--${boundary}--\r\n`))),
  bodyShape('multipart many headers', `multipart/form-data; boundary=${boundary}`, () =>
    bytes(fillWith((i) => `X-H${i}: v`, '\r\n', KIB64 - 64, `--${boundary}\r\nContent-Disposition: form-data; name="a"\r\n`, `\r\n\r\nv\r\n--${boundary}--\r\n`)),
  ),
  bodyShape('multipart boundaries only', `multipart/form-data; boundary=${boundary}`, () => bytes(fill(`--${boundary}\r\n`, KIB64))),
  // Query strings (8 KiB)
  queryShape('query a&a&a…', () => fill('a&', 8 * 1024)),
  queryShape('query k0&k1&k2…', () => fillWith((i) => `k${i}`, '&', 8 * 1024)),
  queryShape('query %zz run', () => fill('%zz', 8 * 1024, 'x=')),
];
