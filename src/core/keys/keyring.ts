import type { KeyObject } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { SigningAlg } from './algorithms.ts';
import { jwksDocument, type JwksDocument } from './jwks.ts';
import { signCompact } from './jws.ts';
import { decryptPrivateKey } from './kek.ts';
import type { SigningKey, SigningKeysStore } from './port.ts';
import { currentKey, keyState } from './schedule.ts';

export interface SignOptions {
  /** Default RS256, the OpenID Connect default (Core §3.1.3.7 step 7). */
  alg?: SigningAlg;
  /** The JWS `typ` header (RFC 7515 §4.1.9): `JWT` by default; `logout+jwt`, `at+jwt`... for explicit typing (RFC 8725 §3.11). */
  typ?: string;
}

/** What ID tokens, userinfo JWTs and logout tokens sign with. */
export interface Keyring {
  /** A compact JWS of `payload` signed with the current key of the algorithm; header {alg, kid, typ}. */
  sign(payload: object, options?: SignOptions): Promise<string>;
  /** The kid that signs for `alg` now. */
  currentKid(alg: SigningAlg): Promise<string>;
  /** The JWK Set to serve at jwks_uri. */
  jwks(): Promise<JwksDocument>;
  /** Reads the keys now (after this process changed them); throws KeyDecryptionError when the KEK cannot open one. */
  reload(): Promise<void>;
}

export interface KeyringOptions {
  store: Pick<SigningKeysStore, 'list'>;
  kek: Buffer;
  clock: Clock;
  /** Keys are re-read at most this often (config cacheTtlMs): a rotation made on another node shows within it. */
  cacheTtlMs: number;
  /** Monotonic milliseconds, for the cache only (the key states follow `clock`). */
  nowMs?: () => number;
}

export class NoSigningKeyError extends Error {
  override name = 'NoSigningKeyError';
}

/**
 * The keys of this process: rows re-read every `cacheTtlMs`, private keys decrypted once per kid and kept as prepared
 * KeyObjects, so signing costs one signature and no decryption. Which key signs is decided at each call from the
 * clock, so a next key starts signing at its moment without a re-read.
 */
export function createKeyring(options: KeyringOptions): Keyring {
  const { store, kek, clock, cacheTtlMs } = options;
  const nowMs = options.nowMs ?? (() => performance.now());
  let rows: SigningKey[] = [];
  let loadedAt = -Infinity;
  let loading: Promise<void> | undefined;
  const prepared = new Map<string, KeyObject>();

  const load = (): Promise<void> =>
    (loading ??= (async () => {
      try {
        const at = nowMs();
        const fresh = await store.list();
        const now = clock.now();
        for (const k of fresh) {
          if (!prepared.has(k.kid) && keyState(k, now) !== 'expired') prepared.set(k.kid, decryptPrivateKey(k.encryptedPrivateKey, k.kid, kek));
        }
        const live = new Set(fresh.map((k) => k.kid));
        for (const kid of prepared.keys()) if (!live.has(kid)) prepared.delete(kid);
        rows = fresh;
        loadedAt = at;
      } finally {
        loading = undefined;
      }
    })());

  const keys = async (): Promise<SigningKey[]> => {
    if (nowMs() - loadedAt >= cacheTtlMs) await load();
    return rows;
  };

  const current = async (alg: SigningAlg): Promise<{ key: SigningKey; object: KeyObject }> => {
    const key = currentKey(await keys(), alg, clock.now());
    const object = key && prepared.get(key.kid);
    // Start-up creates a key per algorithm and retiring one replaces it, so this means the key set was tampered with.
    if (!key || !object) throw new NoSigningKeyError(`no active ${alg} signing key`);
    return { key, object };
  };

  return {
    async sign(payload, opts = {}) {
      const alg = opts.alg ?? 'RS256';
      const { key, object } = await current(alg);
      return signCompact(payload, { alg, kid: key.kid, typ: opts.typ ?? 'JWT' }, object);
    },
    async currentKid(alg) {
      return (await current(alg)).key.kid;
    },
    async jwks() {
      return jwksDocument(await keys(), clock.now());
    },
    reload: load,
  };
}
