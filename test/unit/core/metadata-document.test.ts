import { describe, expect, it } from 'vitest';
import { cacheSeconds, InvalidMetadataDocument, isMetadataDocumentUrl, parseMetadataDocument } from '../../../src/core/registration/metadata-document.ts';
import { clientDocuments } from '../../../src/core/registration/metadata-document-clients.ts';
import { InvalidClient } from '../../../src/core/errors.ts';
import type { Client } from '../../../src/core/model.ts';
import type { SafeFetch } from '../../../src/core/registration/safe-fetch.ts';
import type { ClientsRepository } from '../../../src/core/repositories.ts';

/** draft-ietf-oauth-client-id-metadata-document: the URL grammar (§3), the document rules (§4), the cache bounds. */

describe('client_id URLs (draft §3)', () => {
  it.each(['https://app.example/client.json', 'https://app.example:8443/oauth/client', 'https://app.example/c?v=1'])('accepts %s', (url) => {
    expect(isMetadataDocumentUrl(url, false)).toBe(true);
  });
  it.each([
    ['http, without the development switch', 'http://127.0.0.1/client.json'],
    ['no path', 'https://app.example'],
    ['the root path only', 'https://app.example/'],
    ['a fragment', 'https://app.example/client.json#x'],
    ['user information', 'https://user@app.example/client.json'],
    ['a dot segment', 'https://app.example/a/./client.json'],
    ['a double-dot segment', 'https://app.example/a/../client.json'],
    ['an encoded double-dot segment', 'https://app.example/a/%2e%2e/client.json'],
    ['a plain client id', 'web-app'],
    ['another scheme', 'urn:example:client'],
  ])('refuses %s', (_why, url) => {
    expect(isMetadataDocumentUrl(url, false)).toBe(false);
  });
  it('admits loopback http only under the development switch, and never other http hosts', () => {
    expect(isMetadataDocumentUrl('http://127.0.0.1:8080/client.json', true)).toBe(true);
    expect(isMetadataDocumentUrl('http://localhost:8080/client.json', true)).toBe(true);
    expect(isMetadataDocumentUrl('http://app.example/client.json', true)).toBe(false);
  });
});

describe('documents (draft §4)', () => {
  const url = 'https://app.example/client.json';
  const doc = (extra: Record<string, unknown> = {}) => JSON.stringify({ client_id: url, redirect_uris: ['https://app.example/cb'], ...extra });
  const refusal = (body: string) => {
    try {
      parseMetadataDocument(url, body);
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidMetadataDocument);
      return (err as Error).message;
    }
    throw new Error('accepted');
  };

  it('takes the RFC 7591 defaults, the URL host as the name when none is given, and https logos only', () => {
    const parsed = parseMetadataDocument(url, doc({ logo_uri: 'http://app.example/logo.png', client_uri: 'https://app.example/' }));
    expect(parsed.client).toEqual({ name: 'app.example', redirectUris: ['https://app.example/cb'], grantTypes: ['authorization_code'], responseTypes: ['code'], scopes: [] });
    expect(parsed.logoUri).toBeNull();
    expect(parsed.clientUri).toBe('https://app.example/');
  });

  it.each([
    ['client_id compared as a string, not normalised', doc({ client_id: 'https://APP.example/client.json' }), 'does not equal its URL'],
    ['a client_secret', doc({ client_secret: 'x' }), 'client_secret'],
    ['a shared-secret method', doc({ token_endpoint_auth_method: 'client_secret_post' }), 'token_endpoint_auth_method'],
    ['private_key_jwt, not supported yet', doc({ token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'https://app.example/jwks' }), 'token_endpoint_auth_method'],
    ['no redirect_uris', JSON.stringify({ client_id: url }), 'redirect_uris'],
    ['a javascript: redirect URI', doc({ redirect_uris: ['javascript:alert(1)'] }), 'redirect_uris'],
    ['client_credentials', doc({ grant_types: ['authorization_code', 'client_credentials'] }), 'grant_types'],
    ['the implicit response type', doc({ response_types: ['token'] }), 'response_types'],
    ['an array', '[]', 'not a JSON object'],
    ['not JSON', '{', 'not valid JSON'],
  ])('refuses %s', (_why, body, message) => {
    expect(refusal(body)).toContain(message);
  });
});

describe('cache lifetime (RFC 9111 §5.2.2 within configured bounds)', () => {
  const bounds = { min: 300, max: 86_400 };
  it.each([
    [undefined, 300],
    ['max-age=3600', 3600],
    ['public, max-age=10', 300],
    ['max-age=9999999', 86_400],
    ['no-store', 0],
    ['no-cache', 0],
    ['max-age=0', 0],
  ])('%s -> %i s', (header, seconds) => {
    expect(cacheSeconds(header, bounds)).toBe(seconds);
  });
});

describe('clients made from documents', () => {
  const url = 'https://app.example/client.json';
  const body = JSON.stringify({ client_id: url, redirect_uris: ['https://app.example/cb'] });
  function setup(existing: number) {
    const rows = new Map<string, Client>();
    let fetches = 0;
    const repo = {
      findById: async (id: string) => rows.get(id),
      countByOrigin: async () => existing + rows.size,
      create: async (c: Omit<Client, 'createdAt' | 'updatedAt'>, now: number) => {
        const row = { ...c, createdAt: now, updatedAt: now };
        rows.set(c.id, row);
        return row;
      },
      update: async () => undefined,
    } as unknown as ClientsRepository;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const fetch: SafeFetch = async () => {
      fetches++;
      await gate;
      return { status: 200, headers: { 'content-type': 'application/json' }, body, url };
    };
    const logged: string[] = [];
    const logger = { info: () => undefined, warn: (o: object) => logged.push(JSON.stringify(o)), error: () => undefined };
    const config = { clientMetadataDocuments: { enabled: true, allowLoopbackHttp: false, minCacheSeconds: 300, maxCacheSeconds: 86_400, maxClients: 2, timeoutMs: 5000, maxBytes: 65_536 } };
    const docs = clientDocuments({ config, clock: { now: () => 1_800_000_000 }, repos: { clients: repo }, logger, fetch });
    return { docs, rows, fetches: () => fetches, release, logged };
  }

  it('fetches a new document once for a burst of concurrent requests in one process', async () => {
    const s = setup(0);
    const all = Promise.all([s.docs.resolve(url, undefined), s.docs.resolve(url, undefined), s.docs.resolve(url, undefined)]);
    s.release();
    const clients = await all;
    expect(s.fetches()).toBe(1);
    expect(clients.every((c) => c?.id === url && c.type === 'public' && c.origin === 'metadata-document')).toBe(true);
  });

  it('refuses a new document client past clientMetadataDocuments.maxClients, without fetching, and logs it', async () => {
    const s = setup(2);
    s.release();
    await expect(s.docs.resolve(url, undefined)).rejects.toBeInstanceOf(InvalidClient);
    expect(s.fetches()).toBe(0);
    expect(s.rows.size).toBe(0);
    expect(s.logged.join()).toContain('client_metadata_document_limit');
  });
});
