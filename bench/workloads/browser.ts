import { BASIC, BENCH, pkcePair } from '../common.ts';
import type { IdTokenChecker } from './id-token-check.ts';
import type { HttpRequest, HttpResponse, Target, Unit } from './types.ts';

/**
 * One authorization-code flow as a browser and its client application would run it, as a state machine: it hands out
 * the next request and reads each response, so the same code drives the load generator and the setup (over fetch).
 * The browser part follows redirects that stay on the server, fills in a login form (username and password plus its
 * hidden fields, CSRF token included) and approves a consent form; the client part checks `state`, exchanges the
 * code with PKCE (client_secret_basic), and calls the protected resource once. Works with every server's pages,
 * since all three use the same form field names.
 */

export interface Cookie {
  name: string;
  value: string;
  path: string;
}

export type CookieJar = Map<string, Cookie>;

const MAX_BROWSER_STEPS = 10;

export interface FlowOptions {
  /** The requested scope; BENCH.userScope by default. */
  scope?: string;
  /** An OpenID Connect flow: send a nonce, and validate the ID token of the token response (id-token-check.ts). */
  idTokens?: IdTokenChecker;
}
const redirect = new URL(BENCH.redirectUri);

export class BrowserFlow implements Unit {
  readonly jar: CookieJar;
  phase: 'browse' | 'token' | 'resource' | 'done' | 'failed' = 'browse';
  failure: string | undefined;
  startedAt = 0;
  tokens: { access_token: string; refresh_token?: string } | undefined;
  private nextRequest: HttpRequest;
  private readonly pkce = pkcePair();
  private readonly oauthState = Math.random().toString(36).slice(2);
  private steps = 0;
  private readonly target: Target;
  private readonly idTokens: IdTokenChecker | undefined;
  private readonly nonce = Math.random().toString(36).slice(2);

  constructor(target: Target, jar: CookieJar = new Map(), options: FlowOptions = {}) {
    this.target = target;
    this.jar = new Map(jar);
    this.idTokens = options.idTokens;
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: BENCH.clientId,
      redirect_uri: BENCH.redirectUri,
      scope: options.scope ?? BENCH.userScope,
      state: this.oauthState,
      code_challenge: this.pkce.challenge,
      code_challenge_method: 'S256',
    });
    if (this.idTokens) q.set('nonce', this.nonce);
    this.nextRequest = this.get(`${target.endpoints.authorization}?${q}`);
  }

  get state(): Unit['state'] {
    return this.phase === 'done' ? 'ok' : this.phase === 'failed' ? 'failed' : 'running';
  }

  /** The next request, or undefined when the flow is over (done or failed). */
  next(): HttpRequest | undefined {
    if (this.phase === 'done' || this.phase === 'failed') return undefined;
    if (this.startedAt === 0) this.startedAt = performance.now();
    return this.nextRequest;
  }

  handle(res: HttpResponse): void {
    try {
      if (this.phase === 'browse') this.browse(res);
      else if (this.phase === 'token') this.exchanged(res);
      else if (this.phase === 'resource') {
        if (res.status !== 200 || !res.body.includes('"sub"')) return this.fail(`resource: ${res.status} ${res.body.slice(0, 120)}`);
        this.phase = 'done';
      }
    } catch (err) {
      this.fail(`${this.phase}: ${(err as Error).message}`);
    }
  }

  private fail(why: string): void {
    this.phase = 'failed';
    this.failure = why;
  }

  private browse(res: HttpResponse): void {
    this.storeCookies(res.headers['set-cookie']);
    if (++this.steps > MAX_BROWSER_STEPS) return this.fail('too many browser steps');
    const location = header(res, 'location');
    if (res.status >= 300 && res.status < 400 && location) {
      const url = new URL(location, this.target.origin);
      if (url.origin === redirect.origin && url.pathname === redirect.pathname) {
        const code = url.searchParams.get('code');
        if (url.searchParams.get('state') !== this.oauthState) return this.fail('state mismatch');
        if (!code) return this.fail(`redirect without a code: ${url.search.slice(0, 200)}`);
        this.phase = 'token';
        this.nextRequest = {
          method: 'POST',
          path: this.target.endpoints.token ?? '',
          headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            code,
            redirect_uri: BENCH.redirectUri,
            code_verifier: this.pkce.verifier,
          }).toString(),
        };
        return;
      }
      if (url.origin !== this.target.origin) return this.fail(`redirect off the server: ${url.origin}`);
      this.nextRequest = this.get(url.pathname + url.search);
      return;
    }
    if (res.status === 200 && /<form\b/i.test(res.body)) {
      const form = firstForm(res.body);
      const fields = new URLSearchParams(form.hidden);
      if (form.names.has('password')) {
        fields.set('username', BENCH.username);
        fields.set('password', BENCH.password);
      } else if (form.names.has('decision')) {
        fields.set('decision', 'allow');
      } else return this.fail('a form that is neither login nor consent');
      const action = new URL(form.action, this.target.origin);
      this.nextRequest = {
        method: 'POST',
        path: action.pathname + action.search,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: fields.toString(),
      };
      this.withCookies(this.nextRequest);
      return;
    }
    this.fail(`browse: unexpected ${res.status} ${res.body.slice(0, 160)}`);
  }

  private exchanged(res: HttpResponse): void {
    if (res.status !== 200) return this.fail(`token: ${res.status} ${res.body.slice(0, 160)}`);
    const body = JSON.parse(res.body) as { access_token?: string; refresh_token?: string; id_token?: string };
    if (!body.access_token) return this.fail('token: no access_token');
    if (this.idTokens) {
      const problem = this.idTokens.check(body.id_token, this.nonce);
      if (problem) return this.fail(`id_token: ${problem}`);
    }
    this.tokens = { access_token: body.access_token, ...(body.refresh_token ? { refresh_token: body.refresh_token } : {}) };
    this.phase = 'resource';
    this.nextRequest = { method: 'GET', path: this.target.endpoints.resource ?? '', headers: { authorization: `Bearer ${body.access_token}` } };
  }

  private get(path: string): HttpRequest {
    const req: HttpRequest = { method: 'GET', path, headers: {} };
    this.withCookies(req);
    return req;
  }

  private withCookies(req: HttpRequest): void {
    const pairs: string[] = [];
    for (const c of this.jar.values()) if (req.path.startsWith(c.path)) pairs.push(`${c.name}=${c.value}`);
    if (pairs.length > 0) req.headers['cookie'] = pairs.join('; ');
  }

  private storeCookies(setCookie: string | string[] | undefined): void {
    if (setCookie === undefined) return;
    for (const line of Array.isArray(setCookie) ? setCookie : [setCookie]) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let path = '/';
      let expired = value === '';
      for (const a of attrs) {
        const [k = '', v = ''] = a.trim().split('=');
        const key = k.toLowerCase();
        if (key === 'path') path = v || '/';
        else if (key === 'max-age' && Number(v) <= 0) expired = true;
        else if (key === 'expires' && Date.parse(v) <= Date.now()) expired = true;
      }
      const id = `${name};${path}`;
      if (expired) this.jar.delete(id);
      else this.jar.set(id, { name, value, path });
    }
  }
}

export function header(res: HttpResponse, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'", '#x2F': '/' };
const decode = (s: string) => s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, n: string) => ENTITIES[n] ?? whole);
const attr = (tag: string, name: string) => {
  const m = new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag);
  return m?.[1] === undefined ? undefined : decode(m[1]);
};

/** The first form of a page: its action, hidden inputs, and the names of all its inputs and buttons. */
export function firstForm(html: string): { action: string; hidden: [string, string][]; names: Set<string> } {
  const m = /<form\b[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!m) throw new Error('no form');
  const open = /<form\b[^>]*>/i.exec(m[0])?.[0] ?? '';
  const hidden: [string, string][] = [];
  const names = new Set<string>();
  for (const input of (m[1] ?? '').matchAll(/<(?:input|button)\b[^>]*>/gi)) {
    const name = attr(input[0], 'name');
    if (name === undefined) continue;
    names.add(name);
    if (attr(input[0], 'type')?.toLowerCase() === 'hidden') hidden.push([name, attr(input[0], 'value') ?? '']);
  }
  return { action: attr(open, 'action') ?? '', hidden, names };
}
