import { readFileSync } from 'node:fs';
import type { Config } from '../config/schema.ts';
import { clientAuthProblems, type ClientAuthFields } from '../core/client-auth/metadata.ts';
import { storedSecret } from '../core/client-auth/secret-encryption.ts';
import { resolveKek } from '../core/keys/kek-source.ts';
import { sqlitePath } from '../storage/index.ts';
import type { Client } from '../core/model.ts';
import { CliError } from './context.ts';

/** The client authentication options of `clients create|update` (RFC 7591 §2, RFC 7523 §2.2) and how they show. */

export interface ClientAuthOptions {
  authMethod?: string;
  authSigningAlg?: string;
  jwks?: string;
  jwksUri?: string;
}

/** Only the options given; `null` removes (jwks none, jwks-uri none, auth-signing-alg default). */
export interface ParsedAuthOptions {
  method?: string;
  signingAlg?: string | null;
  jwks?: { keys: Record<string, unknown>[] } | null;
  jwksUri?: string | null;
}

export function parseAuthOptions(opts: ClientAuthOptions): ParsedAuthOptions {
  const out: ParsedAuthOptions = {};
  if (opts.authMethod !== undefined) out.method = opts.authMethod;
  if (opts.authSigningAlg !== undefined) out.signingAlg = opts.authSigningAlg === 'default' ? null : opts.authSigningAlg;
  if (opts.jwksUri !== undefined) out.jwksUri = opts.jwksUri === '' || opts.jwksUri === 'none' ? null : opts.jwksUri;
  if (opts.jwks !== undefined) out.jwks = opts.jwks === '' || opts.jwks === 'none' ? null : readJwks(opts.jwks);
  return out;
}

/** A JWK Set given inline as JSON, or as @path of a file holding it. */
function readJwks(value: string): { keys: Record<string, unknown>[] } {
  let text = value;
  if (value.startsWith('@')) {
    try {
      text = readFileSync(value.slice(1), 'utf8');
    } catch {
      throw new CliError(`--jwks: cannot read ${value.slice(1)}`);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CliError('--jwks: not JSON; give a JWK Set ({"keys": [...]}) or @file');
  }
  const keys = typeof parsed === 'object' && parsed !== null ? (parsed as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'object' && k !== null && !Array.isArray(k))) {
    throw new CliError('--jwks: a JWK Set is an object with a "keys" list');
  }
  return { keys: keys as Record<string, unknown>[] };
}

/** The fields of a client after an update that gives `given`: the method stays as it was chosen at creation. */
export function updatedAuthFields(current: Client, given: ParsedAuthOptions, next: Pick<Client, 'type' | 'secretHash'>): ClientAuthFields {
  const was = current.assertionAuth;
  return {
    type: next.type,
    hasSecret: next.secretHash !== null,
    // client_secret_jwt has no assertionAuth (no keys): its method is in tokenEndpointAuthMethod.
    method: was?.method ?? (current.tokenEndpointAuthMethod === 'client_secret_jwt' ? 'client_secret_jwt' : null),
    signingAlg: given.signingAlg !== undefined ? given.signingAlg : was?.signingAlg,
    jwks: given.jwks !== undefined ? given.jwks : was?.jwks,
    jwksUri: given.jwksUri !== undefined ? given.jwksUri : was?.jwksUri,
  };
}

const AUTH_FLAGS: Record<string, string> = {
  tokenEndpointAuthMethod: '--auth-method',
  tokenEndpointAuthSigningAlg: '--auth-signing-alg',
  jwks: '--jwks',
  jwksUri: '--jwks-uri',
  secret: '--secret',
};

export function checkAuth(fields: ClientAuthFields, config: Config): void {
  const [first] = Object.entries(clientAuthProblems(fields, config.clientAssertions));
  if (first) throw new CliError(`${AUTH_FLAGS[first[0]] ?? first[0]}: ${first[1]}`);
}

/** The line of `clients show`. */
export function describeAuth(c: Client): string {
  const a = c.assertionAuth;
  if (!a) return c.type === 'public' ? 'none (public client)' : 'client_secret_basic or client_secret_post';
  const keys = a.jwksUri ?? `${a.jwks?.keys.length ?? 0} inline key(s)`;
  return `private_key_jwt, ${a.signingAlg ?? 'any asymmetric alg'}, keys: ${keys}`;
}

/**
 * The KEK the server uses (keys/kek-source.ts), only when a client_secret_jwt secret must be encrypted with it; for
 * every other client none is resolved, so no KEK file is generated for them.
 */
export function kekFor(config: Config, method: string | null | undefined): Buffer | undefined {
  return method === 'client_secret_jwt' ? resolveKek(config.keys, sqlitePath(config.database)).kek : undefined;
}

/** A new secret as the client's row keeps it: the hash, and for client_secret_jwt the encrypted secret too. */
export const cliStoredSecret = (config: Config, secret: string, client: Pick<Client, 'id' | 'tokenEndpointAuthMethod'>) =>
  storedSecret(secret, client.id, client.tokenEndpointAuthMethod, kekFor(config, client.tokenEndpointAuthMethod));
