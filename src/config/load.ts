import { readFileSync } from 'node:fs';
import { clientAuthProblems } from '../core/client-auth/metadata.ts';
import { redirectUriProblem } from '../core/redirect-uri.ts';
import { tokenExchangeProblems } from '../core/token-exchange/policy-rules.ts';
import { configSchema, type Config } from './schema.ts';
import { ENV_NOT_CONFIG, unknownEnvProblem, unknownKeyMessage } from './unknown-keys.ts';
import { isLocalHostname } from '../core/redirect-uri.ts';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

function merge(base: Plain, over: Plain): Plain {
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (k === '__proto__' || k === 'constructor' || k === 'prototype') continue;
    out[k] = isPlain(v) && isPlain(out[k]) ? merge(out[k], v) : v;
  }
  return out;
}

const camel = (s: string) => s.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/**
 * LATCHKEY_TOKENS__ACCESS_TOKEN_TTL=600 -> { tokens: { accessTokenTtl: 600 } }. Values are JSON when they parse.
 * A LATCHKEY_* variable that names no configuration key (and is not one of ENV_NOT_CONFIG) is a ConfigError naming
 * it and the nearest variable: a misspelling must not leave the default in place unnoticed.
 */
export function fromEnv(env: NodeJS.ProcessEnv): Plain {
  let out: Plain = {};
  const problems: string[] = [];
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('LATCHKEY_') || raw === undefined || ENV_NOT_CONFIG.includes(name)) continue;
    const path = name.slice('LATCHKEY_'.length).split('__').map(camel);
    if (path[0] === 'databaseUrl') path[0] = 'database';
    // LATCHKEY_KEY_ENCRYPTION_KEY: a secret kept as given (a hex key could otherwise parse as a JSON number).
    const isKek = path.length === 1 && path[0] === 'keyEncryptionKey';
    if (isKek) path.unshift('keys');
    const problem = unknownEnvProblem(configSchema, name, path);
    if (problem !== undefined) {
      problems.push(`  ${problem}`);
      continue;
    }
    let value: unknown = raw;
    try {
      if (!isKek) value = JSON.parse(raw);
    } catch {
      // a plain string
    }
    if (typeof value === 'number' && path.at(-1) !== 'port' && !Number.isSafeInteger(value)) value = raw;
    const nested = path.reduceRight<unknown>((acc, key) => ({ [key]: acc }), value) as Plain;
    out = merge(out, nested);
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n${problems.sort().join('\n')}`);
  return out;
}

export function readConfigFile(path: string): Plain {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`config file ${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (!isPlain(parsed)) throw new ConfigError(`config file ${path}: must hold a JSON object`);
    return parsed;
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`config file ${path}: invalid JSON (${(err as Error).message})`);
  }
}

export interface ConfigSources {
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Already-structured overrides, e.g. from command-line flags. */
  overrides?: Plain;
}

/** Defaults < config file < LATCHKEY_* environment < flags. Invalid configuration throws a ConfigError naming the key. */
export function loadConfig(sources: ConfigSources = {}): Config {
  const env = sources.env ?? {};
  const file = sources.file ?? env['LATCHKEY_CONFIG'];
  let input: Plain = file ? readConfigFile(file) : {};
  input = merge(input, fromEnv(env));
  input = merge(input, sources.overrides ?? {});
  return parseConfig(input);
}

export function parseConfig(input: unknown): Config {
  const result = configSchema.safeParse(input);
  if (!result.success) {
    const lines = result.error.issues.flatMap((i) =>
      i.code === 'unrecognized_keys'
        ? i.keys.map((key) => `  ${unknownKeyMessage(configSchema, i.path, key)}`)
        : [`  ${i.path.join('.') || '(root)'}: ${i.message}`],
    );
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const config = result.data;
  const issuer = (config.issuer ?? `http://localhost:${config.port}`).replace(/\/+$/, '');
  const url = new URL(issuer);
  // RFC 8414 §2: the issuer has no query or fragment.
  if (url.search || url.hash) throw new ConfigError('invalid configuration:\n  issuer: must not contain a query or fragment');
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError('invalid configuration:\n  issuer: must be an http(s) URL');
  const seen = new Set<string>();
  for (const [i, c] of config.clients.entries()) {
    if (seen.has(c.id)) throw new ConfigError(`invalid configuration:\n  clients.${i}.id: duplicate client id ${c.id}`);
    seen.add(c.id);
    // private_key_jwt (RFC 7523 §2.2): a confidential client that proves itself with its keys, not a secret.
    const auth = clientAuthProblems({ type: c.type, hasSecret: c.secret !== undefined, method: c.tokenEndpointAuthMethod, signingAlg: c.tokenEndpointAuthSigningAlg, jwks: c.jwks, jwksUri: c.jwksUri }, config.clientAssertions);
    const authLines = Object.entries(auth).map(([field, problem]) => `  clients.${i}.${field}: ${problem}`);
    if (authLines.length > 0) throw new ConfigError(`invalid configuration:\n${authLines.join('\n')}`);
    if (c.type === 'confidential' && !c.secret && c.tokenEndpointAuthMethod !== 'private_key_jwt') throw new ConfigError(`invalid configuration:\n  clients.${i}.secret: required for a confidential client`);
    if (c.type === 'public' && c.secret) throw new ConfigError(`invalid configuration:\n  clients.${i}.secret: a public client has no secret`);
    // The policy's resources are checked once the resources are known (resources-bootstrap.ts).
    const exchange = tokenExchangeProblems(c).grantTypes;
    if (exchange !== undefined) throw new ConfigError(`invalid configuration:\n  clients.${i}.tokenExchange: ${exchange}`);
    // The same registration rule as the CLI, the admin API and the console (RFC 6749 §3.1.2, RFC 8252 §7).
    const problems = c.redirectUris.flatMap((uri, j) => {
      const problem = redirectUriProblem(uri, { issuer });
      return problem === undefined ? [] : [`  clients.${i}.redirectUris.${j}: ${uri}: ${problem}`];
    });
    if (problems.length > 0) throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
  }
  return { ...config, issuer };
}

/** Start-up warnings: settings that work but that an operator should know are unsafe. */
export function configWarnings(config: Config): string[] {
  const warnings: string[] = [];
  const url = new URL(config.issuer);
  if (url.protocol !== 'https:' && !isLocalHostname(url.hostname)) warnings.push('issuer is not https: tokens and cookies travel in clear text (RFC 8414 §2 requires https)');
  if (config.cookies.secure === false && url.protocol === 'https:') warnings.push('cookies.secure is false under an https issuer');
  if (config.pkce.allowPlain) warnings.push('pkce.allowPlain is on: plain PKCE does not protect a code seen in transit (RFC 9700 §2.1.1)');
  if (config.features.implicit) warnings.push('features.implicit is on: the implicit grant exposes tokens in the URL (RFC 9700 §2.1.2)');
  if (config.clientMetadataDocuments.allowLoopbackHttp) {
    warnings.push('clientMetadataDocuments.allowLoopbackHttp is on: client metadata documents, and the jwks_uri and back-channel logout URIs of clients that chose them, are fetched over plain http from loopback; for development only');
  }
  if (config.features.queryStringTokens) warnings.push('features.queryStringTokens is on: tokens in URLs end up in logs (RFC 6750 §2.3)');
  return warnings;
}
