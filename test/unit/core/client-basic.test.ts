import { describe, it, expect } from 'vitest';
import { parseBasic } from '../../../src/core/client-auth/basic.ts';
import { InvalidClient } from '../../../src/core/errors.ts';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

function invalidClientOf(header: string): InvalidClient {
  try {
    parseBasic(header);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidClient);
    return err as InvalidClient;
  }
  throw new Error(`expected parseBasic(${JSON.stringify(header)}) to throw invalid_client`);
}

describe('parseBasic: client_secret_basic (RFC 6749 §2.3.1)', () => {
  it('decodes the client id and secret', () => {
    expect(parseBasic(`Basic ${b64('web-app:s3cret')}`)).toEqual({ clientId: 'web-app', clientSecret: 's3cret' });
  });

  it('url-decodes the id and secret (application/x-www-form-urlencoded before base64)', () => {
    const id = encodeURIComponent('my app:1');
    const secret = encodeURIComponent('p@ss:w/rd%&é');
    expect(parseBasic(`Basic ${b64(`${id}:${secret}`)}`)).toEqual({ clientId: 'my app:1', clientSecret: 'p@ss:w/rd%&é' });
  });

  it('decodes + as a space, as form encoding does', () => {
    expect(parseBasic(`Basic ${b64('my+app:a+b')}`)).toEqual({ clientId: 'my app', clientSecret: 'a b' });
  });

  it('splits at the first colon: the secret may contain colons after url-decoding', () => {
    expect(parseBasic(`Basic ${b64('app:a:b')}`)).toEqual({ clientId: 'app', clientSecret: 'a:b' });
  });

  it('accepts the scheme name in any case (RFC 7235 §2.1)', () => {
    expect(parseBasic(`basic ${b64('app:x')}`)).toEqual({ clientId: 'app', clientSecret: 'x' });
  });

  it('accepts an empty secret (the secret check fails later, as invalid_client)', () => {
    expect(parseBasic(`Basic ${b64('app:')}`)).toEqual({ clientId: 'app', clientSecret: '' });
  });

  it('returns undefined when there is no Authorization header', () => {
    expect(parseBasic(undefined)).toBeUndefined();
  });

  it('returns undefined for another scheme (Bearer is not client authentication)', () => {
    expect(parseBasic('Bearer abc.def')).toBeUndefined();
  });

  it('refuses credentials without a colon with invalid_client and a Basic challenge', () => {
    const err = invalidClientOf(`Basic ${b64('web-app')}`);
    expect(err.error).toBe('invalid_client');
    expect(err.status).toBe(401);
    expect(err.basicChallenge).toBe(true);
  });

  it('refuses an empty client id with invalid_client', () => {
    expect(invalidClientOf(`Basic ${b64(':secret')}`).error).toBe('invalid_client');
  });

  it('refuses malformed percent-encoding in the id or secret with invalid_client', () => {
    expect(invalidClientOf(`Basic ${b64('app%zz:secret')}`).error).toBe('invalid_client');
    expect(invalidClientOf(`Basic ${b64('app:%E0%A4%A')}`).error).toBe('invalid_client');
  });

  it('refuses a Basic header whose credentials are not base64 with invalid_client, not as "no credentials"', () => {
    const err = invalidClientOf('Basic !!!not-base64***');
    expect(err.error).toBe('invalid_client');
    expect(err.basicChallenge).toBe(true);
  });

  it('refuses a Basic header with no credentials with invalid_client', () => {
    expect(invalidClientOf('Basic ').error).toBe('invalid_client');
    expect(invalidClientOf('Basic').error).toBe('invalid_client');
  });

  it('refuses a Basic header with two credential parts with invalid_client', () => {
    expect(invalidClientOf(`Basic ${b64('a:b')} ${b64('c:d')}`).error).toBe('invalid_client');
  });

  it('never echoes the secret in the error description', () => {
    const err = invalidClientOf(`Basic ${b64('app%zz:super-secret-value')}`);
    expect(err.description).not.toContain('super-secret-value');
    expect(err.message).not.toContain('super-secret-value');
  });
});
