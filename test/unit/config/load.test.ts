import { describe, it, expect, afterEach } from 'vitest';
import { clientFromConfig } from '../../../src/bootstrap.ts';
import { configWarnings, fromEnv, loadConfig, parseConfig } from '../../../src/config/load.ts';
import { configErrorOf, configFiles } from '../../support/config.ts';

const files = configFiles();
const configFile = files.file;
afterEach(files.cleanup);



const SECRET = 'a-client-secret-of-some-length';

describe('loadConfig: defaults', () => {
  it('starts on port 3000 with an embedded SQLite file and finite lifetimes', () => {
    const c = loadConfig();
    expect(c.port).toBe(3000);
    expect(c.issuer).toBe('http://localhost:3000');
    expect(c.database).toBe('./data/latchkey.db');
    expect(c.tokens).toEqual({ accessTokenTtl: 3600, refreshTokenTtl: 30 * 24 * 3600, codeTtl: 60, refreshTokenGraceSeconds: 0, idTokenTtl: 3600 });
    expect(c.paths.token).toBe('/oauth2/token');
    expect(c.paths.introspection).toBe('/oauth2/introspect');
  });

  it('is safe by default: PKCE required, no plain, no implicit, no query-string tokens, no trusted proxy', () => {
    const c = loadConfig();
    expect(c.pkce).toEqual({ required: true, allowPlain: false });
    expect(c.features).toEqual({ implicit: false, queryStringTokens: false });
    expect(c.trustProxy).toBe(false);
    expect(c.cookies.secure).toBe('auto');
  });

  it('knows the openid, profile, email, address, phone and offline_access scopes', () => {
    expect(loadConfig().scopes.map((s) => s.name)).toEqual(['openid', 'profile', 'email', 'address', 'phone', 'offline_access']);
  });

  it('derives the issuer from the port when none is given', () => {
    expect(loadConfig({ overrides: { port: 8080 } }).issuer).toBe('http://localhost:8080');
  });

  it('gives a declared client the code response type only when it has the authorization_code grant (RFC 7591 §2.1), as the CLI and admin API do', () => {
    const declared = (over: Record<string, unknown>) => parseConfig({ clients: [{ id: 'c', name: 'C', secret: 'c-secret-0123456789abcdef', ...over }] }).clients;
    const responseTypes = (over: Record<string, unknown>) => declared(over).map((c) => clientFromConfig(c).responseTypes)[0];
    expect(responseTypes({})).toEqual(['code']);
    expect(responseTypes({ grantTypes: ['client_credentials'] })).toEqual([]);
    expect(responseTypes({ grantTypes: ['urn:ietf:params:oauth:grant-type:token-exchange'] })).toEqual([]);
    expect(responseTypes({ responseTypes: ['code', 'code id_token'] })).toEqual(['code', 'code id_token']);
  });

  it('strips trailing slashes from the issuer (RFC 8414 §2: identifiers compare as strings)', () => {
    expect(parseConfig({ issuer: 'https://auth.example/tenant/' }).issuer).toBe('https://auth.example/tenant');
  });
});

describe('loadConfig: precedence defaults < file < environment < overrides', () => {
  it('takes a value from the file over the default', () => {
    const file = configFile({ port: 4000, tokens: { codeTtl: 30 } });
    const c = loadConfig({ file });
    expect(c.port).toBe(4000);
    expect(c.tokens.codeTtl).toBe(30);
    expect(c.tokens.accessTokenTtl).toBe(3600);
  });

  it('takes the environment over the file, merging nested objects key by key', () => {
    const file = configFile({ port: 4000, tokens: { codeTtl: 30, accessTokenTtl: 100 } });
    const c = loadConfig({ file, env: { LATCHKEY_PORT: '5000', LATCHKEY_TOKENS__ACCESS_TOKEN_TTL: '600' } });
    expect(c.port).toBe(5000);
    expect(c.tokens.accessTokenTtl).toBe(600);
    expect(c.tokens.codeTtl).toBe(30);
  });

  it('takes the overrides (command-line flags) over the environment', () => {
    const file = configFile({ port: 4000 });
    const c = loadConfig({ file, env: { LATCHKEY_PORT: '5000' }, overrides: { port: 6000 } });
    expect(c.port).toBe(6000);
  });

  it('reads the file named by LATCHKEY_CONFIG', () => {
    const file = configFile({ port: 4100 });
    expect(loadConfig({ env: { LATCHKEY_CONFIG: file } }).port).toBe(4100);
  });

  it('prefers an explicit file over LATCHKEY_CONFIG', () => {
    const a = configFile({ port: 4100 });
    const b = configFile({ port: 4200 });
    expect(loadConfig({ file: b, env: { LATCHKEY_CONFIG: a } }).port).toBe(4200);
  });

  it('does not read process.env unless it is passed in', () => {
    process.env['LATCHKEY_PORT'] = '7777';
    try {
      expect(loadConfig().port).toBe(3000);
    } finally {
      delete process.env['LATCHKEY_PORT'];
    }
  });
});

describe('fromEnv: LATCHKEY_<PATH> with __ between levels', () => {
  it('maps LATCHKEY_TOKENS__ACCESS_TOKEN_TTL to tokens.accessTokenTtl as a number', () => {
    expect(fromEnv({ LATCHKEY_TOKENS__ACCESS_TOKEN_TTL: '600' })).toEqual({ tokens: { accessTokenTtl: 600 } });
  });

  it('parses JSON values and keeps anything else as a string', () => {
    expect(
      fromEnv({
        LATCHKEY_FEATURES__IMPLICIT: 'true',
        LATCHKEY_ISSUER: 'https://auth.example',
        LATCHKEY_TOKENS__REFRESH_TOKEN_TTL: 'never',
        LATCHKEY_SCOPES: '[{"name":"api","description":"API"}]',
      }),
    ).toEqual({
      features: { implicit: true },
      issuer: 'https://auth.example',
      tokens: { refreshTokenTtl: 'never' },
      scopes: [{ name: 'api', description: 'API' }],
    });
  });

  it('maps LATCHKEY_DATABASE_URL to database', () => {
    expect(fromEnv({ LATCHKEY_DATABASE_URL: '/var/lib/latchkey/db.sqlite' })).toEqual({ database: '/var/lib/latchkey/db.sqlite' });
  });

  it('ignores other variables and LATCHKEY_CONFIG itself', () => {
    expect(fromEnv({ PATH: '/bin', HOME: '/root', LATCHKEY_CONFIG: '/etc/latchkey.json' })).toEqual({});
  });

  it('drops a __proto__ key from a higher-precedence source instead of letting it become a prototype', () => {
    const file = configFile({ tokens: { accessTokenTtl: 100 } });
    const overrides = JSON.parse('{"__proto__": {"port": 1234}, "tokens": {"__proto__": {"codeTtl": 5}}}') as Record<string, unknown>;
    const c = loadConfig({ file, overrides });
    expect(c.port).toBe(3000);
    expect(c.tokens.codeTtl).toBe(60);
    expect(c.tokens.accessTokenTtl).toBe(100);
    expect(({} as Record<string, unknown>)['port']).toBeUndefined();
  });

  it('applies the mapped value end to end', () => {
    const c = loadConfig({ env: { LATCHKEY_TOKENS__REFRESH_TOKEN_TTL: 'never', LATCHKEY_RATE_LIMIT__TOKEN_PER_MINUTE: '0' } });
    expect(c.tokens.refreshTokenTtl).toBe('never');
    expect(c.rateLimit.tokenPerMinute).toBe(0);
  });
});

describe('invalid configuration stops start-up with a ConfigError naming the key', () => {
  it.each([
    ['a negative lifetime', { LATCHKEY_TOKENS__ACCESS_TOKEN_TTL: '-5' }, 'tokens.accessTokenTtl'],
    ['a zero lifetime', { LATCHKEY_TOKENS__ACCESS_TOKEN_TTL: '0' }, 'tokens.accessTokenTtl'],
    ['a non-numeric lifetime', { LATCHKEY_TOKENS__ACCESS_TOKEN_TTL: 'soon' }, 'tokens.accessTokenTtl'],
    ['a fractional lifetime', { LATCHKEY_TOKENS__CODE_TTL: '1.5' }, 'tokens.codeTtl'],
    ['a refresh TTL that is neither seconds nor never', { LATCHKEY_TOKENS__REFRESH_TOKEN_TTL: 'forever' }, 'tokens.refreshTokenTtl'],
    ['a port out of range', { LATCHKEY_PORT: '70000' }, 'port'],
    ['an unknown log level', { LATCHKEY_LOG_LEVEL: 'verbose' }, 'logLevel'],
    ['a grace window above 300 s', { LATCHKEY_TOKENS__REFRESH_TOKEN_GRACE_SECONDS: '301' }, 'tokens.refreshTokenGraceSeconds'],
    ['a path without a leading slash', { LATCHKEY_PATHS__TOKEN: 'token' }, 'paths.token'],
    ['an issuer that is not a URL', { LATCHKEY_ISSUER: 'auth.example' }, 'issuer'],
  ])('refuses %s', (_what, env, key) => {
    expect(configErrorOf(() => loadConfig({ env }))).toContain(`${key}:`);
  });

  it('names the key in a config file error too', () => {
    const file = configFile({ tokens: { accessTokenTtl: 'an hour' } });
    expect(configErrorOf(() => loadConfig({ file }))).toContain('tokens.accessTokenTtl:');
  });

  it('refuses a confidential client without a secret', () => {
    const msg = configErrorOf(() => parseConfig({ clients: [{ id: 'app', name: 'App', type: 'confidential' }] }));
    expect(msg).toContain('clients.0.secret');
  });

  it('refuses a client that omits its type and secret (confidential is the default)', () => {
    expect(configErrorOf(() => parseConfig({ clients: [{ id: 'app', name: 'App' }] }))).toContain('clients.0.secret');
  });

  it('refuses a public client with a secret', () => {
    const msg = configErrorOf(() => parseConfig({ clients: [{ id: 'spa', name: 'SPA', type: 'public', secret: SECRET }] }));
    expect(msg).toContain('clients.0.secret');
  });

  it('refuses a client secret shorter than 16 characters', () => {
    expect(configErrorOf(() => parseConfig({ clients: [{ id: 'app', name: 'App', secret: 'short' }] }))).toContain('clients.0.secret');
  });

  it('refuses two clients with the same id', () => {
    const msg = configErrorOf(() =>
      parseConfig({
        clients: [
          { id: 'app', name: 'A', secret: SECRET },
          { id: 'app', name: 'B', secret: SECRET },
        ],
      }),
    );
    expect(msg).toContain('clients.1.id');
  });

  it('refuses an unknown grant type on a client', () => {
    const msg = configErrorOf(() => parseConfig({ clients: [{ id: 'app', name: 'A', secret: SECRET, grantTypes: ['password'] }] }));
    expect(msg).toContain('clients.0.grantTypes.0');
  });

  it('refuses a scope name with characters outside RFC 6749 §3.3', () => {
    expect(configErrorOf(() => parseConfig({ scopes: [{ name: 'read write', description: 'x' }] }))).toContain('scopes.0.name');
  });

  it('refuses an issuer with a query (RFC 8414 §2)', () => {
    expect(configErrorOf(() => parseConfig({ issuer: 'https://auth.example/?tenant=1' }))).toContain('issuer: must not contain a query');
  });

  it('refuses an issuer with a fragment (RFC 8414 §2)', () => {
    expect(configErrorOf(() => parseConfig({ issuer: 'https://auth.example/#x' }))).toContain('issuer:');
  });

  it('refuses an issuer that is not http(s)', () => {
    expect(configErrorOf(() => parseConfig({ issuer: 'ftp://auth.example' }))).toContain('issuer:');
  });

  it('refuses a config file that is not JSON, naming the file', () => {
    const file = configFile('{ port: 3000 ');
    const msg = configErrorOf(() => loadConfig({ file }));
    expect(msg).toContain(file);
    expect(msg).toMatch(/invalid JSON/);
  });

  it('refuses a config file that holds an array', () => {
    expect(configErrorOf(() => loadConfig({ file: configFile([]) }))).toMatch(/must hold a JSON object/);
  });

  it('refuses a config file that does not exist, naming it', () => {
    const msg = configErrorOf(() => loadConfig({ file: '/nonexistent/latchkey.json' }));
    expect(msg).toContain('/nonexistent/latchkey.json');
    expect(msg).toContain('ENOENT');
  });
});

describe('configWarnings', () => {
  it('gives no warning for the defaults on localhost', () => {
    expect(configWarnings(loadConfig())).toEqual([]);
  });

  it('gives no warning for an https issuer', () => {
    expect(configWarnings(parseConfig({ issuer: 'https://auth.example' }))).toEqual([]);
  });

  it('warns about an http issuer on a public host', () => {
    expect(configWarnings(parseConfig({ issuer: 'http://auth.example' })).join('\n')).toMatch(/issuer is not https/);
  });

  it.each(['http://127.0.0.1:3000', 'http://[::1]:3000', 'http://localhost'])('does not warn about http on the loopback issuer %s', (issuer) => {
    expect(configWarnings(parseConfig({ issuer }))).toEqual([]);
  });

  it.each([
    [{ pkce: { allowPlain: true } }, /pkce\.allowPlain/],
    [{ features: { implicit: true } }, /features\.implicit/],
    [{ features: { queryStringTokens: true } }, /features\.queryStringTokens/],
    [{ clientMetadataDocuments: { allowLoopbackHttp: true } }, /clientMetadataDocuments\.allowLoopbackHttp.*development only/],
    [{ issuer: 'https://auth.example', cookies: { secure: false } }, /cookies\.secure/],
  ])('warns about the unsafe setting %o', (input, warning) => {
    const warnings = configWarnings(parseConfig(input));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(warning);
  });
});
