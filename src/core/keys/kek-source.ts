import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Config } from '../../config/schema.ts';
import { newKek, parseKek } from './kek.ts';

/** Start-up cannot go on without a usable key-encryption key; the message says how to give one, never the key. */
export class KekSourceError extends Error {
  override name = 'KekSourceError';
}

export interface KekSource {
  kek: Buffer;
  /** Where the KEK came from, for the start-up log: a description and a path, never the key. */
  origin: 'environment' | 'file' | 'generated' | 'existing-generated' | 'ephemeral';
  path?: string;
}

/** The file name of the KEK generated beside an SQLite database. */
export const GENERATED_KEK_FILE = 'key-encryption-key';

const HOW =
  'set LATCHKEY_KEY_ENCRYPTION_KEY (or keys.keyEncryptionKey) to 32 random bytes as 64 hex digits or base64url, ' +
  'or point keys.keyEncryptionKeyFile at a file holding them (e.g. `openssl rand -hex 32`)';

function readKekFile(path: string, label: string): Buffer {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new KekSourceError(`${label} ${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    return parseKek(text, `${label} ${path}`);
  } catch (err) {
    throw new KekSourceError((err as Error).message);
  }
}

/**
 * The KEK, in order: `keys.keyEncryptionKey` (env LATCHKEY_KEY_ENCRYPTION_KEY), `keys.keyEncryptionKeyFile`. Without
 * either: on SQLite one is generated beside the database file, mode 0600, and reused from there (back it up with the
 * database: without it the stored signing keys cannot be used); on PostgreSQL start-up stops, because every node must
 * share one KEK and a generated one would differ per node.
 * `sqliteFile` is the database file, or undefined on PostgreSQL; ':memory:' gets a KEK that lives as long as the process.
 */
export function resolveKek(keys: Config['keys'], sqliteFile: string | undefined): KekSource {
  if (keys.keyEncryptionKey !== undefined && keys.keyEncryptionKeyFile !== undefined) {
    throw new KekSourceError('keys.keyEncryptionKey (LATCHKEY_KEY_ENCRYPTION_KEY) and keys.keyEncryptionKeyFile are both set: give one');
  }
  if (keys.keyEncryptionKey !== undefined) {
    try {
      return { kek: parseKek(keys.keyEncryptionKey, 'LATCHKEY_KEY_ENCRYPTION_KEY (keys.keyEncryptionKey)'), origin: 'environment' };
    } catch (err) {
      throw new KekSourceError((err as Error).message);
    }
  }
  if (keys.keyEncryptionKeyFile !== undefined) {
    const path = resolve(keys.keyEncryptionKeyFile);
    return { kek: readKekFile(path, 'keys.keyEncryptionKeyFile'), origin: 'file', path };
  }
  if (sqliteFile === undefined) {
    throw new KekSourceError(`no key-encryption key for the signing keys: every node on PostgreSQL must share one, so ${HOW}`);
  }
  if (sqliteFile === ':memory:' || sqliteFile === '') return { kek: newKek(), origin: 'ephemeral' };
  const path = join(dirname(resolve(sqliteFile)), GENERATED_KEK_FILE);
  try {
    // 'wx': of two processes starting together, one creates the file and the other reads it.
    writeFileSync(path, `${newKek().toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    return { kek: readKekFile(path, 'generated key-encryption key'), origin: 'generated', path };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new KekSourceError(`cannot write a key-encryption key to ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'}); ${HOW}`);
    }
  }
  // Written by a process that may still be writing it: an empty file means "try again", not a wrong key.
  if (statSync(path).size === 0) throw new KekSourceError(`${path} is empty; remove it to have a new one generated (only if no signing keys are stored) or ${HOW}`);
  return { kek: readKekFile(path, 'generated key-encryption key'), origin: 'existing-generated', path };
}
