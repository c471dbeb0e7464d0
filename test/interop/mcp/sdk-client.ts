import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';

/**
 * The MCP host's side of the SDK's OAuth flow, as a host implements it, for test/interop/mcp/mcp-sdk.test.ts: an
 * in-memory OAuthClientProvider and a fetch that records what the SDK sent.
 */

/** RFC 8252 §7.3: a native app's loopback redirect; §8.3: an IP literal, never `localhost` (which Latchkey refuses). */
export const MCP_CLIENT_REDIRECT = 'http://127.0.0.1:33418/callback';

/** One request the SDK made and what came back. Kept in memory only: `transcript` prints none of the credentials. */
export interface Sent {
  method: string;
  url: string;
  body: string | undefined;
  authorization: string | null;
  status: number;
  challenge: string | null;
  /** The OAuth `error` code of a JSON error answer (RFC 6749 §5.2, RFC 7591 §3.2.2). */
  error: string | undefined;
}

export function recordingFetch(log: Sent[]): typeof fetch {
  return async (input, init) => {
    const res = await fetch(input, init);
    const body = typeof init?.body === 'string' ? init.body : init?.body instanceof URLSearchParams ? init.body.toString() : undefined;
    const authorization = new Headers(init?.headers).get('authorization');
    const answer = res.status >= 400 && res.headers.get('content-type')?.includes('json') ? ((await res.clone().json()) as { error?: unknown }) : undefined;
    const error = typeof answer?.error === 'string' ? answer.error : undefined;
    log.push({ method: init?.method ?? 'GET', url: String(input instanceof Request ? input.url : input), body, authorization, status: res.status, challenge: res.headers.get('www-authenticate'), error });
    return res;
  };
}

/** The JSON-RPC method of an MCP request body, for the transcript. */
function rpcMethod(body: string | undefined): string {
  try {
    const parsed = JSON.parse(body ?? '') as { method?: unknown; params?: { name?: unknown } };
    return typeof parsed.method === 'string' ? ` ${parsed.method}${typeof parsed.params?.name === 'string' ? ` ${parsed.params.name}` : ''}` : '';
  } catch {
    return '';
  }
}

const SECRET_PARAMS = new Set(['code', 'code_verifier', 'refresh_token', 'client_secret']);

/**
 * The requests in order, origins named by `names`, codes, verifiers and tokens elided; `browser`, the authorization
 * request the person's browser made, goes after the last request before it (the token request's predecessor).
 */
export function transcript(title: string, sent: readonly Sent[], names: Record<string, string>, browser?: URL): string {
  const short = (url: string) => Object.entries(names).reduce((u, [origin, name]) => u.split(origin).join(name), url);
  const lines = sent.map((s) => {
    const path = new URL(s.url).pathname;
    let detail = '';
    if (path === '/mcp') detail = `${rpcMethod(s.body)}${s.authorization ? ' (Bearer …)' : ''}`;
    else if (path === '/register') detail = ` ${s.body ?? ''}`;
    else if (s.body) detail = ` [${[...new URLSearchParams(s.body)].map(([k, v]) => `${k}=${SECRET_PARAMS.has(k) ? '…' : v}`).join(' ')}]`;
    const challenge = s.challenge ? `  WWW-Authenticate: ${short(s.challenge)}` : '';
    return `  ${s.method} ${short(s.url)}${short(detail)} -> ${s.status}${s.error ? ` ${s.error}` : ''}${challenge}`;
  });
  if (browser) {
    const url = new URL(browser);
    if (url.searchParams.has('code_challenge')) url.searchParams.set('code_challenge', '…');
    const at = sent.findIndex((r) => new URL(r.url).pathname === '/oauth2/token');
    lines.splice(at < 0 ? lines.length : at, 0, `  (browser) GET ${short(decodeURIComponent(String(url)))} -> login, consent "Allow" -> ${short(MCP_CLIENT_REDIRECT)}?code=…`);
  }
  return `${title}:\n${lines.join('\n')}`;
}

/** An in-memory OAuthClientProvider: it registers through the SDK (saveClientInformation); the browser step is the test's. */
export class TestProvider implements OAuthClientProvider {
  authorizationUrl: URL | undefined;
  private verifier = '';
  private saved: OAuthTokens | undefined;
  private client: OAuthClientInformationMixed | undefined;
  constructor(tokens?: OAuthTokens) {
    this.saved = tokens;
  }
  get redirectUrl() {
    return MCP_CLIENT_REDIRECT;
  }
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'MCP test client',
      redirect_uris: [MCP_CLIENT_REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }
  clientInformation() {
    return this.client;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.client = info;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(v: string) {
    this.verifier = v;
  }
  codeVerifier() {
    return this.verifier;
  }
}
