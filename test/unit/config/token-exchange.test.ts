import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { syncDeclared } from '../../../src/bootstrap.ts';
import { ConfigError, parseConfig } from '../../../src/config/load.ts';
import { tokenExchangePolicySchema, tokenExchangeSchema } from '../../../src/config/token-exchange-schema.ts';
import { backends, type OpenedBackend } from '../../support/storage-backends.ts';

/** The path and message of the first issue, or 'ok'. */
function verdict(input: unknown): string {
  const r = tokenExchangeSchema.safeParse(input);
  return r.success ? 'ok' : `${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message}`;
}

const jwks = { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] };
const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const gateway = (over: Record<string, unknown> = {}) => ({ id: 'gateway', name: 'Gateway', secret: 'gateway-secret-0123456789', grantTypes: [EXCHANGE], ...over });

/** The message of the ConfigError `input` fails to load with. */
function loadError(input: unknown): string {
  try {
    parseConfig(input);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  return 'loaded';
}

describe('tokenExchange configuration (RFC 8693, RFC 7523)', () => {
  it('takes a trusted issuer\'s keys inline or from an https jwksUri, exactly one of them', () => {
    expect(verdict({ trustedIssuers: [{ issuer: 'https://idp.example', jwks }] })).toBe('ok');
    expect(verdict({ trustedIssuers: [{ issuer: 'https://idp.example', jwksUri: 'https://idp.example/jwks' }] })).toBe('ok');
    expect(verdict({ trustedIssuers: [{ issuer: 'https://idp.example' }] })).toBe('trustedIssuers.0: give exactly one of jwks and jwksUri');
    expect(verdict({ trustedIssuers: [{ issuer: 'https://idp.example', jwks, jwksUri: 'https://idp.example/jwks' }] })).toBe('trustedIssuers.0: give exactly one of jwks and jwksUri');
  });

  it('refuses a jwksUri that is not https: the keys decide whom Latchkey trusts', () => {
    expect(verdict({ trustedIssuers: [{ issuer: 'https://idp.example', jwksUri: 'http://idp.example/jwks' }] })).toMatch(/^trustedIssuers\.0\.jwksUri: /);
  });

  it('denies by default: a policy allows neither impersonation, delegation nor other clients\' tokens unless it says so', () => {
    expect(tokenExchangePolicySchema.parse({ subjectTokenTypes: ['access_token'] })).toEqual({ subjectTokenTypes: ['access_token'], resources: [], scopes: [], impersonation: false, delegation: false, otherClientsTokens: false, refreshTokens: false });
    expect(tokenExchangeSchema.parse(undefined)).toEqual({ trustedIssuers: [] });
  });

  it('refuses the old tokenExchange.policies, saying the policy moved to clients[].tokenExchange', () => {
    const message = loadError({ clients: [gateway()], tokenExchange: { policies: [{ client: 'gateway', subjectTokenTypes: ['access_token'] }] } });
    expect(message).toContain('tokenExchange.policies: moved: give each client its policy as clients[].tokenExchange');
  });

  it('keeps a client\'s policy under clients[].tokenExchange with its deny-by-default values; a client without one has none', () => {
    const config = parseConfig({ clients: [gateway({ tokenExchange: { subjectTokenTypes: ['jwt'], delegation: true } }), gateway({ id: 'other' })] });
    expect(config.clients[0]?.tokenExchange).toEqual({ subjectTokenTypes: ['jwt'], resources: [], scopes: [], impersonation: false, delegation: true, otherClientsTokens: false, refreshTokens: false });
    expect(config.clients[1]?.tokenExchange).toBeUndefined();
  });

  it('refuses a policy on a client without the token-exchange grant type, naming the client\'s key', () => {
    const message = loadError({ clients: [gateway({ grantTypes: ['client_credentials'], tokenExchange: { subjectTokenTypes: ['access_token'] } })] });
    expect(message).toContain(`clients.0.tokenExchange: a token exchange policy needs the grant type ${EXCHANGE}`);
  });

  it('refuses a policy with an unknown subject token type, naming the key', () => {
    const message = loadError({ clients: [gateway({ tokenExchange: { subjectTokenTypes: ['saml2'] } })] });
    expect(message).toMatch(/clients\.0\.tokenExchange\.subjectTokenTypes\.0: use access_token, refresh_token, id_token, jwt/);
  });
});

describe('tokenExchange policy resources at start-up (syncDeclared)', () => {
  const sqlite = backends.find((b) => b.name === 'sqlite');
  if (!sqlite) throw new Error('the sqlite backend is always there');
  let opened: OpenedBackend;
  beforeEach(async () => {
    opened = await sqlite.open();
  });
  afterEach(async () => {
    await opened.dispose();
  });

  it('stops start-up when a policy names a resource nobody declared or created, naming the key and the resource', async () => {
    const config = parseConfig({ clients: [gateway({ tokenExchange: { subjectTokenTypes: ['access_token'], resources: ['https://nowhere.example/'] } })] });
    await expect(syncDeclared(opened.storage.repos, config, 1_800_000_000)).rejects.toThrow(/clients\.0\.tokenExchange\.resources: client "gateway" lists the unknown resource "https:\/\/nowhere\.example\/"/);
  });

  it('stores the declared policy on the client when its resources are declared, and clears it when the file drops it', async () => {
    const resources = [{ id: 'https://orders.example/', name: 'Orders' }];
    const policy = { subjectTokenTypes: ['access_token'], resources: ['https://orders.example/'], impersonation: true };
    await syncDeclared(opened.storage.repos, parseConfig({ resources, clients: [gateway({ tokenExchange: policy })] }), 1_800_000_000);
    expect((await opened.storage.repos.clients.findById('gateway'))?.tokenExchange).toEqual({ ...policy, scopes: [], delegation: false, otherClientsTokens: false, refreshTokens: false });
    await syncDeclared(opened.storage.repos, parseConfig({ resources, clients: [gateway()] }), 1_800_000_010);
    expect((await opened.storage.repos.clients.findById('gateway'))?.tokenExchange).toBeUndefined();
  });
});
