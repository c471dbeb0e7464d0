import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPublicAddress } from '../../../src/core/registration/public-address.ts';
import { SafeFetchError, type SafeFetchRefusal } from '../../../src/core/registration/safe-fetch.ts';
import { createSafeFetch, type Resolver } from '../../../src/http/safe-fetch.ts';

/**
 * The SSRF guard of fetches made on a client's behalf (OWASP SSRF Prevention Cheat Sheet; RFC 9700 §4): refused
 * before any connection for every non-public address, after DNS resolution and on redirects; size and time capped.
 * Names are resolved by an injected resolver, so no test depends on the machine's DNS.
 */

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let server: Server;
let base: string;
let hits = 0;
const routes = new Map<string, Handler>();

beforeAll(async () => {
  server = createServer((req, res) => {
    hits++;
    const handler = routes.get(req.url ?? '');
    if (handler) handler(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  routes.set('/doc', (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
  routes.set('/html', (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<p>hi</p>'));
  routes.set('/huge', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    // No content-length: the cap must hold while reading, not only on the header.
    const chunk = ' '.repeat(16 * 1024);
    let sent = 0;
    const more = () => {
      while (sent < 4096 && res.write(chunk)) sent++;
      if (sent < 4096) res.once('drain', more);
      else res.end('{}');
    };
    more();
  });
  routes.set('/slow', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{');
    // Never finishes: only the fetch's own deadline ends it.
  });
  routes.set('/to-metadata', (_req, res) => res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end());
  routes.set('/to-private-name', (_req, res) => res.writeHead(302, { location: 'https://internal.test/secret' }).end());
  routes.set('/to-doc', (_req, res) => res.writeHead(301, { location: '/doc' }).end());
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

const names: Record<string, string[]> = {
  'localhost.test': ['127.0.0.1'],
  'ten.test': ['10.1.2.3'],
  'metadata.test': ['169.254.169.254'],
  'v6-loopback.test': ['::1'],
  'mapped.test': ['::ffff:127.0.0.1'],
  'mixed.test': ['93.184.215.14', '192.168.1.10'],
  'internal.test': ['10.0.0.7'],
  'cgnat.test': ['100.64.1.1'],
  'ula.test': ['fd12:3456::1'],
};
const resolver: Resolver = async (host) => {
  const list = names[host];
  if (!list) throw new Error(`ENOTFOUND ${host}`);
  return list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

async function refusal(promise: Promise<unknown>): Promise<SafeFetchRefusal> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(SafeFetchError);
  return (err as SafeFetchError).reason;
}

describe('public addresses (IANA special-purpose registries, RFC 6890)', () => {
  it.each([
    '127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.0.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '0.1.2.3',
    '224.0.0.1', '255.255.255.255', '::', '::1', 'fe80::1', 'fc00::1', 'fd00::1', 'ff02::1', '::ffff:127.0.0.1',
    '::ffff:7f00:1', '::ffff:10.0.0.1', '::ffff:169.254.169.254', '64:ff9b::a00:1', '2002:a00:1::1', 'not-an-ip',
  ])('refuses %s', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });
  it.each(['93.184.215.14', '8.8.8.8', '2606:4700::1111', '::ffff:8.8.8.8'])('accepts %s', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });
});

describe('without the development switch', () => {
  const guarded = createSafeFetch({ resolve: resolver });

  it('refuses an http URL before connecting', async () => {
    const before = hits;
    expect(await refusal(guarded({ url: `${base}/doc` }))).toBe('scheme');
    expect(hits).toBe(before);
  });

  it.each([
    ['a name resolving to 127.0.0.1', 'https://localhost.test/doc'],
    ['a name resolving to 10.x', 'https://ten.test/doc'],
    ['a name resolving to 169.254.169.254 (cloud metadata)', 'https://metadata.test/doc'],
    ['a name resolving to ::1', 'https://v6-loopback.test/doc'],
    ['a name resolving to ::ffff:127.0.0.1', 'https://mapped.test/doc'],
    ['a name with one public and one private address', 'https://mixed.test/doc'],
    ['a name resolving to CGNAT 100.64/10', 'https://cgnat.test/doc'],
    ['a name resolving to unique-local fc00::/7', 'https://ula.test/doc'],
    ['the literal [::1]', 'https://[::1]/doc'],
    ['the literal [::ffff:127.0.0.1]', 'https://[::ffff:127.0.0.1]/doc'],
    ['the literal 169.254.169.254', 'https://169.254.169.254/latest/meta-data/'],
    ['the literal 0.0.0.0', 'https://0.0.0.0/doc'],
  ])('refuses %s', async (_what, url) => {
    expect(await refusal(guarded({ url }))).toBe('address');
  });

  it('says the same for a name that does not resolve and one that resolves inside, naming no address', async () => {
    const failure = (url: string) => guarded({ url }).then(() => new SafeFetchError('url', 'accepted'), (e: unknown) => e as SafeFetchError);
    const inside = await failure('https://ten.test/doc');
    const nowhere = await failure('https://nowhere.test/doc');
    expect(inside.message).toBe(nowhere.message);
    expect(inside.message).not.toContain('10.1.2.3');
    // The operator's log gets the address.
    expect(inside.detail).toContain('10.1.2.3');
  });

  it('refuses localhost by name through the system resolver', async () => {
    expect(await refusal(createSafeFetch()({ url: 'https://localhost/doc' }))).toBe('address');
  });

  it('refuses a name that does not resolve, and credentials in the URL', async () => {
    expect(await refusal(guarded({ url: 'https://nowhere.test/doc' }))).toBe('dns');
    expect(await refusal(guarded({ url: 'https://user:pw@ten.test/doc' }))).toBe('url');
    expect(await refusal(guarded({ url: 'file:///etc/passwd' }))).toBe('scheme');
  });
});

describe('under the development switch (loopback http only)', () => {
  const dev = createSafeFetch({ resolve: resolver, allowLoopbackHttp: true, timeoutMs: 3000, maxBytes: 64 * 1024 });

  it('fetches a JSON document from loopback, connecting to the address it checked', async () => {
    const port = new URL(base).port;
    // localhost.test exists only in the injected resolver: the request reaching the server proves the pinned lookup.
    const res = await dev({ url: `http://localhost.test:${port}/doc`, json: true });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ ok: true });
  });

  it('still refuses private addresses other than loopback', async () => {
    expect(await refusal(dev({ url: 'http://ten.test/doc' }))).toBe('scheme');
    expect(await refusal(dev({ url: 'https://ten.test/doc' }))).toBe('address');
  });

  it('refuses a redirect to the cloud metadata address, and to a name resolving to a private one', async () => {
    expect(await refusal(dev({ url: `${base}/to-metadata`, maxRedirects: 3 }))).toBe('scheme');
    expect(await refusal(dev({ url: `${base}/to-private-name`, maxRedirects: 3 }))).toBe('address');
  });

  it('does not follow redirects unless asked, and follows a checked one when asked', async () => {
    const plain = await dev({ url: `${base}/to-doc` });
    expect(plain.status).toBe(301);
    const followed = await dev({ url: `${base}/to-doc`, maxRedirects: 1, json: true });
    expect(followed.status).toBe(200);
    expect(followed.url).toBe(`${base}/doc`);
  });

  it('refuses a document past the size cap', async () => {
    expect(await refusal(dev({ url: `${base}/huge`, json: true }))).toBe('too_large');
  });

  it('refuses a server that never finishes, at the deadline', async () => {
    expect(await refusal(dev({ url: `${base}/slow`, json: true }))).toBe('timeout');
  });

  it('refuses an answer that is not JSON when JSON is required', async () => {
    expect(await refusal(dev({ url: `${base}/html`, json: true }))).toBe('content_type');
  });
});
