import { createPrivateKey, createPublicKey, type JsonWebKey as NodeJwk, type KeyObject, webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as oauth from 'oauth4webapi';
import { CliError } from '../context.ts';

/** RFC 7591 §2 token_endpoint_auth_method values this client speaks. */
export const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

export interface ClientAuthInput {
  method: string | undefined;
  secret: string | undefined;
  signingKey?: string;
}

/**
 * The client authentication for the token, PAR, introspection and revocation endpoints. Without --auth-method: a
 * signing key means private_key_jwt (RFC 7523 §2.2), a secret client_secret_basic (RFC 6749 §2.3.1), neither none
 * (a public client, RFC 6749 §2.1).
 */
export async function clientAuthentication(input: ClientAuthInput): Promise<{ method: AuthMethod; auth: oauth.ClientAuth }> {
  const method = pickMethod(input);
  if ((method === 'client_secret_basic' || method === 'client_secret_post') && input.secret === undefined) {
    throw new CliError(`--auth-method ${method} needs the client secret: --client-secret-stdin or --client-secret-file`);
  }
  if (method === 'private_key_jwt' && input.signingKey === undefined) throw new CliError('--auth-method private_key_jwt needs --signing-key <file>');
  switch (method) {
    case 'client_secret_basic':
      return { method, auth: clientSecretBasic(input.secret as string) };
    case 'client_secret_post':
      return { method, auth: oauth.ClientSecretPost(input.secret as string) };
    case 'private_key_jwt': {
      const key = await loadPrivateKey('--signing-key', input.signingKey as string);
      return { method, auth: oauth.PrivateKeyJwt(key.kid === undefined ? { key: key.privateKey } : { key: key.privateKey, kid: key.kid }) };
    }
    case 'none':
      return { method, auth: oauth.None() };
  }
}

/**
 * RFC 6749 §2.3.1: client_id and secret form-urlencoded (Appendix B), then Base64 in `Authorization: Basic`. Only
 * what form encoding must escape is escaped: oauth4webapi also escapes `-`, `.`, `_` and `*`, which is equally valid,
 * but legacy servers that forget to decode then see `legacy%2Dapp` and refuse the client. A server that decodes reads
 * both forms the same.
 */
function clientSecretBasic(secret: string): oauth.ClientAuth {
  const encode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);
  return (_as, client, _body, headers) => {
    headers.set('authorization', `Basic ${Buffer.from(`${encode(client.client_id)}:${encode(secret)}`).toString('base64')}`);
  };
}

function pickMethod(input: ClientAuthInput): AuthMethod {
  if (input.method !== undefined) {
    if (!(AUTH_METHODS as readonly string[]).includes(input.method)) {
      throw new CliError(`--auth-method "${input.method}": use one of ${AUTH_METHODS.join(', ')}`);
    }
    return input.method as AuthMethod;
  }
  if (input.signingKey !== undefined) return 'private_key_jwt';
  return input.secret === undefined ? 'none' : 'client_secret_basic';
}

type CryptoKey = webcrypto.CryptoKey;

export interface LoadedKey {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  kid: string | undefined;
}

/**
 * The WebCrypto import parameters, which fix the JWS algorithm oauth4webapi signs with (RFC 7518 §3.1): RS256 for
 * RSA, ES256/384/512 by curve, EdDSA for Ed25519.
 */
function algorithmFor(key: KeyObject): { params: webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams | webcrypto.Algorithm } {
  const type = key.asymmetricKeyType;
  if (type === 'rsa') return { params: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } };
  if (type === 'ed25519') return { params: { name: 'Ed25519' } };
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    const named = curve === 'prime256v1' ? 'P-256' : curve === 'secp384r1' ? 'P-384' : curve === 'secp521r1' ? 'P-521' : undefined;
    if (named !== undefined) return { params: { name: 'ECDSA', namedCurve: named } };
  }
  throw new CliError(`unsupported key type ${type ?? 'unknown'}: use RSA, EC (P-256/384/521) or Ed25519`);
}

/**
 * A private key from a file: a JWK (JSON, with `d`; its `kid` is sent in the assertion header) or PEM (PKCS#8,
 * PKCS#1 or SEC1). Imported as a non-extractable WebCrypto key pair, the form oauth4webapi signs with.
 */
export async function loadPrivateKey(option: string, path: string): Promise<LoadedKey> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(`${option} ${path}: ${code === 'ENOENT' ? 'no such file' : 'cannot be read'}`);
  }
  let keyObject: KeyObject;
  let kid: string | undefined;
  try {
    if (text.trimStart().startsWith('{')) {
      const jwk = JSON.parse(text) as NodeJwk & { kid?: unknown };
      kid = typeof jwk.kid === 'string' ? jwk.kid : undefined;
      keyObject = createPrivateKey({ key: jwk, format: 'jwk' });
    } else {
      keyObject = createPrivateKey(text);
    }
  } catch {
    // Never echo the file's content: it is a private key.
    throw new CliError(`${option} ${path}: not a private key (expected a JWK with "d", or PEM)`);
  }
  const { params } = algorithmFor(keyObject);
  const pkcs8 = keyObject.export({ format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(keyObject).export({ format: 'der', type: 'spki' });
  const privateKey = await crypto.subtle.importKey('pkcs8', pkcs8, params, false, ['sign']);
  const publicKey = await crypto.subtle.importKey('spki', spki, params, true, ['verify']);
  return { privateKey, publicKey, kid };
}
