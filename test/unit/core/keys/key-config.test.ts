import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fromEnv, parseConfig } from '../../../../src/config/load.ts';
import { resolveKek } from '../../../../src/core/keys/kek-source.ts';
import { keySettings } from '../../../../src/core/keys/schedule.ts';

const keysOf = (input: object) => parseConfig(input).keys;

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'latchkey-kek-'));
  dirs.push(d);
  return d;
};

describe('keys configuration', () => {
  it('defaults: rotation every 90 days, JWKS cached 300 s, published 600 s ahead, retired keys kept max(access, ID token) + 60 s', () => {
    const config = parseConfig({ tokens: { accessTokenTtl: 7200 } });
    expect(config.keys).toMatchObject({ rotationDays: 90, jwksMaxAgeSeconds: 300 });
    expect(keySettings(config)).toEqual({ rotateAfterSeconds: 90 * 86_400, publishAheadSeconds: 600, retainSeconds: 7260 });
    expect(keySettings(parseConfig({})).retainSeconds).toBe(3660);
  });

  it('refuses keys.publishAheadSeconds not above keys.jwksMaxAgeSeconds, naming both keys', () => {
    expect(() => parseConfig({ keys: { jwksMaxAgeSeconds: 600, publishAheadSeconds: 600 } })).toThrow(
      /keys\.publishAheadSeconds: keys\.publishAheadSeconds must be above keys\.jwksMaxAgeSeconds/,
    );
    expect(keysOf({ keys: { jwksMaxAgeSeconds: 600, publishAheadSeconds: 601 } }).publishAheadSeconds).toBe(601);
  });

  it('reads LATCHKEY_KEY_ENCRYPTION_KEY as keys.keyEncryptionKey, kept as a string even when it is all digits', () => {
    const digits = '1'.repeat(64);
    expect(fromEnv({ LATCHKEY_KEY_ENCRYPTION_KEY: digits })).toEqual({ keys: { keyEncryptionKey: digits } });
    expect(fromEnv({ LATCHKEY_KEYS__KEY_ENCRYPTION_KEY: digits })).toEqual({ keys: { keyEncryptionKey: digits } });
  });
});

describe('where the key-encryption key comes from', () => {
  it('stops on PostgreSQL without a KEK, naming both ways to give one', () => {
    expect(() => resolveKek(keysOf({}), undefined)).toThrow(/PostgreSQL.*LATCHKEY_KEY_ENCRYPTION_KEY.*keys\.keyEncryptionKeyFile/);
  });

  it('takes the KEK as 64 hex digits or base64url of 32 bytes, and refuses other lengths without echoing the value', () => {
    const bytes = Buffer.alloc(32, 9);
    expect(resolveKek(keysOf({ keys: { keyEncryptionKey: bytes.toString('hex') } }), undefined).kek).toEqual(bytes);
    expect(resolveKek(keysOf({ keys: { keyEncryptionKey: bytes.toString('base64url') } }), undefined).kek).toEqual(bytes);
    const short = Buffer.alloc(16, 9).toString('hex');
    expect(() => resolveKek(keysOf({ keys: { keyEncryptionKey: short } }), undefined)).toThrow(/must be 32 bytes/);
    try {
      resolveKek(keysOf({ keys: { keyEncryptionKey: short } }), undefined);
    } catch (err) {
      expect((err as Error).message).not.toContain(short);
    }
  });

  it('reads keys.keyEncryptionKeyFile, and says which file cannot be read', () => {
    const dir = tempDir();
    const file = join(dir, 'kek');
    writeFileSync(file, `${Buffer.alloc(32, 3).toString('hex')}\n`);
    expect(resolveKek(keysOf({ keys: { keyEncryptionKeyFile: file } }), undefined)).toMatchObject({ origin: 'file', path: file, kek: Buffer.alloc(32, 3) });
    expect(() => resolveKek(keysOf({ keys: { keyEncryptionKeyFile: join(dir, 'missing') } }), undefined)).toThrow(/keys\.keyEncryptionKeyFile .*missing: cannot be read \(ENOENT\)/);
  });

  it('refuses both a KEK and a KEK file at once', () => {
    expect(() => resolveKek(keysOf({ keys: { keyEncryptionKey: 'ab'.repeat(32), keyEncryptionKeyFile: '/x' } }), undefined)).toThrow(/both set/);
  });

  it('on SQLite generates one KEK beside the database and reuses it', () => {
    const dir = tempDir();
    const first = resolveKek(keysOf({}), join(dir, 'latchkey.db'));
    const second = resolveKek(keysOf({}), join(dir, 'latchkey.db'));
    expect(first.origin).toBe('generated');
    expect(second).toMatchObject({ origin: 'existing-generated', path: first.path, kek: first.kek });
  });
});
