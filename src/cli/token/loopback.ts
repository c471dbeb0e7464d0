import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { CliError } from '../context.ts';

/**
 * The redirect URI of a native app: an HTTP listener on the loopback IP literal with a port the OS picks (RFC 8252
 * §7.3: "the authorization server MUST allow any port to be specified at the time of the request for loopback IP
 * redirect URIs"), 127.0.0.1 and not `localhost` (§8.3). With a fixed --redirect-uri on 127.0.0.1 or [::1] the
 * listener takes that port and path, unless something already listens there; a redirect URI elsewhere (or taken) has
 * no listener: the person pastes the address.
 */
export interface Loopback {
  redirectUri: string;
  /** The full redirect address the browser was sent to; undefined when there is no listener. */
  received: Promise<URL> | undefined;
  close(): Promise<void>;
}

const PAGE = (title: string, text: string) =>
  `<!doctype html><html lang="en"><meta charset="utf-8"><title>${title}</title>` +
  `<body style="font-family:system-ui,sans-serif;margin:3rem"><h1>${title}</h1><p>${text}</p></body></html>`;

export async function startLoopback(fixed: string | undefined): Promise<Loopback> {
  let host = '127.0.0.1';
  let port = 0;
  let path = '/callback';
  if (fixed !== undefined) {
    const url = parseRedirect(fixed);
    if (url.protocol !== 'http:' || (url.hostname !== '127.0.0.1' && url.hostname !== '[::1]')) {
      return { redirectUri: fixed, received: undefined, close: async () => undefined };
    }
    host = url.hostname === '[::1]' ? '::1' : url.hostname;
    port = url.port === '' ? 80 : Number(url.port);
    path = url.pathname;
  }
  let settle: (url: URL) => void = () => undefined;
  const received = new Promise<URL>((resolve) => (settle = resolve));
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? host}`);
    if (req.method !== 'GET' || url.pathname !== path) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    // The page says only whether it worked: never the code, and nothing taken from the query unescaped.
    const failed = url.searchParams.has('error');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" });
    res.end(
      failed
        ? PAGE('Sign-in not completed', 'The authorization server did not grant access. The terminal says why; you can close this window.')
        : PAGE('Signed in', 'latchkey token has the answer. You can close this window and return to the terminal.'),
    );
    settle(url);
  });
  const listening = await new Promise<boolean>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      // A fixed loopback redirect URI whose port is taken belongs to a running app (a local web app, Latchkey's own
      // demo page): it receives the redirect, and the person pastes the address it shows.
      if (fixed !== undefined && err.code === 'EADDRINUSE') resolve(false);
      else reject(new CliError(`--redirect-uri: cannot listen on ${host}:${port}: ${err.code ?? err.message}`));
    });
    server.listen(port, host, () => resolve(true));
  });
  if (!listening && fixed !== undefined) return { redirectUri: fixed, received: undefined, close: async () => undefined };
  const bound = (server.address() as { port: number }).port;
  const redirectUri = fixed ?? `http://127.0.0.1:${bound}${path}`;
  return {
    redirectUri,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function parseRedirect(value: string): URL {
  try {
    return new URL(value);
  } catch {
    throw new CliError(`--redirect-uri "${value}": not an absolute URL`);
  }
}

/**
 * Opens the system browser (RFC 8252 §6: an external user agent, never an embedded one): $BROWSER if set, else the
 * platform's opener. Resolves false when none could be started, so the caller prints the address instead.
 */
/**
 * Whether openBrowser has anything to open: $BROWSER, macOS or Windows, or on other systems a graphical session
 * (xdg-open without DISPLAY or WAYLAND_DISPLAY starts, finds no browser, and says so to nobody).
 */
export function canOpenBrowser(env: NodeJS.ProcessEnv = process.env): boolean {
  if ((env['BROWSER'] ?? '') !== '') return true;
  if (process.platform === 'darwin' || process.platform === 'win32') return true;
  return (env['DISPLAY'] ?? '') !== '' || (env['WAYLAND_DISPLAY'] ?? '') !== '';
}

export function openBrowser(url: string): Promise<boolean> {
  const fromEnv = process.env['BROWSER'];
  const [command, args] =
    fromEnv !== undefined && fromEnv !== ''
      ? [fromEnv, [url]]
      : process.platform === 'darwin'
        ? ['open', [url]]
        : process.platform === 'win32'
          ? ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]]
          : ['xdg-open', [url]];
  return new Promise((resolve) => {
    try {
      const child = spawn(command, args, { stdio: 'ignore', detached: true });
      child.once('error', () => resolve(false));
      child.once('spawn', () => {
        child.unref();
        resolve(true);
      });
    } catch {
      resolve(false);
    }
  });
}
