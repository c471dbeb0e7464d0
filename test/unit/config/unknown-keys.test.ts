import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../../src/config/load.ts';
import { configErrorOf, configFiles } from '../../support/config.ts';
import { ENV_NOT_CONFIG } from '../../../src/config/unknown-keys.ts';

/** Unknown and misspelled keys stop start-up with the key's path and the nearest known key, as the admin API does. */

const files = configFiles();
const configFile = files.file;
afterEach(files.cleanup);



describe('config file: unknown keys', () => {
  it('refuses a misspelled key instead of starting with the default, suggesting the nearest one', () => {
    const message = configErrorOf(() => loadConfig({ file: configFile({ tokens: { accesTokenTtl: 5 } }) }));
    expect(message).toContain('tokens.accesTokenTtl: unknown key; did you mean tokens.accessTokenTtl?');
  });

  it.each([
    [{ prot: 4000 }, 'prot: unknown key; did you mean port?'],
    [{ Issuer: 'https://auth.example' }, 'Issuer: unknown key; did you mean issuer?'],
    [{ rateLimit: { tokensPerMinute: 5 } }, 'rateLimit.tokensPerMinute: unknown key; did you mean rateLimit.tokenPerMinute?'],
    [{ pkce: { requried: false } }, 'pkce.requried: unknown key; did you mean pkce.required?'],
    [{ clients: [{ id: 'a', name: 'A', secret: 'a-secret-of-16-chars', redirectUri: ['https://a.example/cb'] }] }, 'clients.0.redirectUri: unknown key; did you mean clients.0.redirectUris?'],
    [{ users: [{ username: 'u', password: 'password1', isAdmin: true }] }, 'users.0.isAdmin: unknown key'],
    [{ scopes: [{ name: 'api', description: 'API', claim: ['email'] }] }, 'scopes.0.claim: unknown key; did you mean scopes.0.claims?'],
  ])('names %j', (input, expected) => {
    expect(configErrorOf(() => parseConfig(input))).toContain(expected);
  });

  it('lists the known keys when none is close', () => {
    const message = configErrorOf(() => parseConfig({ pkce: { zzzzzzzzzz: true } }));
    expect(message).toContain('pkce.zzzzzzzzzz: unknown key (known: required, allowPlain)');
  });

  it('names every unknown key at once', () => {
    const message = configErrorOf(() => parseConfig({ prot: 1, tokens: { codeTtll: 5 } }));
    expect(message).toContain('prot: unknown key');
    expect(message).toContain('tokens.codeTtll: unknown key; did you mean tokens.codeTtl?');
  });
});

describe('LATCHKEY_* environment variables: unknown names', () => {
  it('refuses a misspelled variable, naming it and the nearest one', () => {
    const message = configErrorOf(() => loadConfig({ env: { LATCHKEY_TOKENS__ACCES_TOKEN_TTL: '5' } }));
    expect(message).toContain('LATCHKEY_TOKENS__ACCES_TOKEN_TTL: not a configuration variable; did you mean LATCHKEY_TOKENS__ACCESS_TOKEN_TTL?');
  });

  it.each([
    ['LATCHKEY_TOKEN__ACCESS_TOKEN_TTL', 'LATCHKEY_TOKENS__ACCESS_TOKEN_TTL'],
    ['LATCHKEY_PORTT', 'LATCHKEY_PORT'],
    ['LATCHKEY_RATELIMIT__TOKEN_PER_MINUTE', 'LATCHKEY_RATE_LIMIT__TOKEN_PER_MINUTE'],
    ['LATCHKEY_DATABASE_POOL_MAX', 'LATCHKEY_DATABASE_POOL'],
  ])('suggests for %s', (name, suggestion) => {
    expect(configErrorOf(() => loadConfig({ env: { [name]: '5' } }))).toContain(`${name}: not a configuration variable; did you mean ${suggestion}`);
  });

  it('refuses a variable below a setting that has no sub-keys', () => {
    expect(configErrorOf(() => loadConfig({ env: { LATCHKEY_PORT__X: '5' } }))).toContain('LATCHKEY_PORT__X: not a configuration variable');
  });

  it('accepts the variables Latchkey reads that are not config keys', () => {
    const env = Object.fromEntries(ENV_NOT_CONFIG.map((name) => [name, name === 'LATCHKEY_CONFIG' ? configFile({}) : 'x']));
    expect(loadConfig({ env }).port).toBe(3000);
    expect(ENV_NOT_CONFIG).toEqual(expect.arrayContaining(['LATCHKEY_CONFIG', 'LATCHKEY_TEST_ALL_PROFILES', 'LATCHKEY_USE_DIST']));
  });

  it('reads LATCHKEY_KEY_ENCRYPTION_KEY as keys.keyEncryptionKey, kept as given (64 hex digits are not a number)', () => {
    const hex = 'a'.repeat(32) + '1'.repeat(32);
    expect(loadConfig({ env: { LATCHKEY_KEY_ENCRYPTION_KEY: hex } }).keys.keyEncryptionKey).toBe(hex);
    const digits = '1'.repeat(64);
    expect(loadConfig({ env: { LATCHKEY_KEY_ENCRYPTION_KEY: digits } }).keys.keyEncryptionKey).toBe(digits);
  });

  it('still reads LATCHKEY_DATABASE_URL and nested keys', () => {
    const c = loadConfig({ env: { LATCHKEY_DATABASE_URL: '/tmp/x.db', LATCHKEY_DATABASE_POOL__MAX: '3', LATCHKEY_TOKENS__ACCESS_TOKEN_TTL: '60' } });
    expect({ database: c.database, max: c.databasePool.max, ttl: c.tokens.accessTokenTtl }).toEqual({ database: '/tmp/x.db', max: 3, ttl: 60 });
  });
});

describe('every LATCHKEY_* variable the code reads', () => {
  it('is a configuration variable or listed as not one, so setting it never stops start-up', async () => {
    const { readdirSync, readFileSync, statSync } = await import('node:fs');
    const { join } = await import('node:path');
    const root = join(import.meta.dirname, '..', '..', '..');
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.(ts|mjs)$/.test(name)) files.push(path);
      }
    };
    for (const dir of ['src', 'test', 'bin']) walk(join(root, dir));
    const read = new Set<string>();
    for (const file of files) {
      for (const m of readFileSync(file, 'utf8').matchAll(/process\.env(?:\[['"]|\.)(LATCHKEY_[A-Z0-9_]+)/g)) read.add(m[1] ?? '');
    }
    expect(read.size).toBeGreaterThan(5);
    const refused = [...read].filter((name) => {
      try {
        fromEnvOf(name);
        return false;
      } catch {
        return true;
      }
    });
    expect(refused).toEqual([]);
  });
});

/** Loads the configuration with only `name` set (to a value every key of the schema accepts in form). */
function fromEnvOf(name: string): void {
  if (ENV_NOT_CONFIG.includes(name)) return;
  const problem = configErrorOfOrNone(() => loadConfig({ env: { [name]: '1' } }));
  if (problem !== undefined && /not a configuration variable|unknown key/.test(problem)) throw new Error(problem);
}

function configErrorOfOrNone(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
