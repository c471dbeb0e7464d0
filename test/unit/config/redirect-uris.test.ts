import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.ts';
import { configErrorOf } from '../../support/config.ts';

/** Redirect URIs declared in the config file follow the registration rule of the CLI, the admin API and the console. */

const SECRET = 'config-secret-0123456789';


const withRedirects = (redirectUris: string[], issuer?: string) =>
  parseConfig({ ...(issuer ? { issuer } : {}), clients: [{ id: 'app', name: 'App', secret: SECRET, redirectUris }] });

describe('config file: redirect URIs are checked at start-up, naming the key (RFC 6749 §3.1.2, RFC 8252 §7)', () => {
  it.each([
    ['a file: URI', 'file:///etc/passwd', /the file: scheme is not allowed/],
    ['a javascript: URI', 'javascript:alert(1)', /the javascript: scheme is not allowed/],
    ['http on localhost (RFC 8252 §8.3)', 'http://localhost:8080/cb', /localhost/],
    ['http on a public host', 'http://client.example/cb', /use https/],
    ['a fragment', 'https://client.example/cb#x', /fragment/],
  ])('refuses %s', (_what, uri, reason) => {
    const message = configErrorOf(() => withRedirects(['https://client.example/ok', uri], 'https://auth.example'));
    expect(message).toContain(`clients.0.redirectUris.1: ${uri}:`);
    expect(message).toMatch(reason);
  });

  it('accepts https, loopback IP literals and private-use schemes', () => {
    const uris = ['https://client.example/cb', 'http://127.0.0.1:47399/cb', 'http://[::1]/cb', 'com.example.app:/cb'];
    expect(withRedirects(uris, 'https://auth.example').clients[0]?.redirectUris).toEqual(uris);
  });

  it("accepts Latchkey's own page on the default issuer http://localhost:3000 (the demo callback)", () => {
    expect(withRedirects(['http://localhost:3000/demo/callback']).clients[0]?.redirectUris).toEqual(['http://localhost:3000/demo/callback']);
  });
});
