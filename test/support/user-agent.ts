/**
 * A tiny browser stand-in for flow tests: keeps cookies, follows redirects that stay on the server, reads the login
 * and consent forms from the HTML and submits them. It stops at the first redirect that leaves the server (the
 * client's redirect URI) or at a page it is not asked to fill in.
 */

export type PageKind = 'login' | 'consent' | 'form_post' | 'other';

export interface Outcome {
  status: number;
  headers: Headers;
  /** Set when the server redirected the browser to a URL that is not on the server (the client). */
  location?: URL;
  /** Set when the browser stopped at a page. */
  html?: string;
  page?: PageKind;
}

export interface HtmlForm {
  action: string;
  method: string;
  /** Hidden inputs, by name. */
  fields: Record<string, string>;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'", '#x27': "'", '#x2F': '/' };

/** Decodes the few entities an escaping template produces in attribute values. */
export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, name: string) => {
    const known = ENTITIES[name];
    if (known !== undefined) return known;
    if (name.startsWith('#x')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(parseInt(name.slice(1), 10));
    return whole;
  });
}

const attr = (tag: string, name: string): string | undefined => {
  const m = new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag);
  return m?.[1] === undefined ? undefined : decodeEntities(m[1]);
};

/** The forms of a page: action, method and hidden inputs. */
export function parseForms(html: string): HtmlForm[] {
  const forms: HtmlForm[] = [];
  for (const m of html.matchAll(/<form\b[^>]*>([\s\S]*?)<\/form>/gi)) {
    const open = /<form\b[^>]*>/i.exec(m[0])?.[0] ?? '';
    const fields: Record<string, string> = {};
    for (const input of (m[1] ?? '').matchAll(/<input\b[^>]*>/gi)) {
      const name = attr(input[0], 'name');
      if (name !== undefined && attr(input[0], 'type')?.toLowerCase() === 'hidden') fields[name] = attr(input[0], 'value') ?? '';
    }
    forms.push({ action: attr(open, 'action') ?? '', method: (attr(open, 'method') ?? 'get').toLowerCase(), fields });
  }
  return forms;
}

export function pageKind(html: string): PageKind {
  if (/name="password"/.test(html)) return 'login';
  if (/name="decision"/.test(html)) return 'consent';
  // form_post: an auto-submitting form that posts to another origin.
  if (/<form method="post" action="https?:\/\//.test(html) && /document\.forms\[0\]\.submit\(\)/.test(html)) return 'form_post';
  return 'other';
}

/** A cookie-keeping browser bound to one server origin. */
export class UserAgent {
  readonly origin: string;
  readonly cookies = new Map<string, string>();
  /** The kinds of pages the browser was shown, in order (to check, e.g., that no consent page appeared). */
  readonly seen: PageKind[] = [];

  constructor(serverUrl: string) {
    this.origin = new URL(serverUrl).origin;
  }

  /** One request, cookies attached and stored; redirects are not followed. */
  async request(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url, this.origin);
    const headers = new Headers(init.headers);
    if (target.origin === this.origin && this.cookies.size > 0) {
      headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    }
    const res = await fetch(target, { ...init, headers, redirect: 'manual' });
    if (target.origin === this.origin) this.storeCookies(res);
    return res;
  }

  private storeCookies(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq < 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => {
        const [k = '', v = ''] = a.trim().split('=');
        if (k.toLowerCase() === 'max-age') return Number(v) <= 0;
        if (k.toLowerCase() === 'expires') return Date.parse(a.trim().slice(8)) <= Date.now();
        return false;
      });
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  /** Follows redirects within the server; stops at a redirect elsewhere or at a page. */
  async follow(first: Response, maxHops = 10): Promise<Outcome> {
    let res = first;
    for (let hop = 0; ; hop++) {
      const loc = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && loc !== null) {
        const next = new URL(loc, res.url || this.origin);
        if (next.origin !== this.origin) return { status: res.status, headers: res.headers, location: next };
        if (hop >= maxHops) throw new Error('too many redirects');
        res = await this.request(next);
        continue;
      }
      const html = await res.text();
      const page = pageKind(html);
      this.seen.push(page);
      return { status: res.status, headers: res.headers, html, page };
    }
  }

  /** Opens a URL (an authorization request) and follows it as far as it goes without user input. */
  async start(url: string | URL, init: RequestInit = {}): Promise<Outcome> {
    return this.follow(await this.request(url, init));
  }

  /** Submits the form on `page` with its hidden fields plus `extra`. */
  async submit(page: Outcome, extra: Record<string, string>): Promise<Outcome> {
    const form = parseForms(page.html ?? '')[0];
    if (!form) throw new Error(`no form on the page (status ${page.status})`);
    const body = new URLSearchParams({ ...form.fields, ...extra });
    return this.follow(
      await this.request(form.action, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
    );
  }

  login(page: Outcome, username: string, password: string): Promise<Outcome> {
    return this.submit(page, { username, password });
  }

  consent(page: Outcome, decision: 'allow' | 'deny'): Promise<Outcome> {
    return this.submit(page, { decision });
  }
}

export interface UserChoices {
  username?: string;
  password?: string;
  decision?: 'allow' | 'deny';
}

/**
 * Runs an authorization request as a user would: logs in and decides on consent when asked (and when the choices say
 * how). Returns the redirect to the client, or the page where it stopped.
 */
export async function authorizeAsUser(
  server: { url: string } | UserAgent,
  url: string | URL,
  choices: UserChoices = {},
): Promise<Outcome & { agent: UserAgent }> {
  const agent = server instanceof UserAgent ? server : new UserAgent(server.url);
  let outcome = await agent.start(url);
  for (let step = 0; step < 5; step++) {
    if (outcome.page === 'login' && choices.username !== undefined && choices.password !== undefined) {
      outcome = await agent.login(outcome, choices.username, choices.password);
    } else if (outcome.page === 'consent' && choices.decision !== undefined) {
      outcome = await agent.consent(outcome, choices.decision);
    } else break;
  }
  return { ...outcome, agent };
}

/** An authorization request URL on `server` with the given parameters (undefined values are left out). */
export function authorizeUrl(server: { url: string }, params: Record<string, string | undefined>, path = '/oauth2/authorize'): URL {
  const url = new URL(path, server.url);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url;
}
