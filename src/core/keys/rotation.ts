import { SIGNING_ALGS, generateSigningKey, type SigningAlg } from './algorithms.ts';
import { decryptPrivateKey, encryptPrivateKey } from './kek.ts';
import type { SigningKey, SigningKeysStore } from './port.ts';
import { currentKey, keyState, nextKey, type KeySettings } from './schedule.ts';

/**
 * Changes to the key set. Each function runs inside `KeyStorePort.exclusive`, so nodes do them one at a time. A
 * rotation never leaves a moment without a published signing key: the next key is published at once and signs only
 * after `publishAheadSeconds` (longer than any cache of the JWKS); the key it replaces is retired at that same moment
 * and stays published `retainSeconds` more, until every token it signed has expired.
 */

export interface KeyChange {
  created: SigningKey[];
  retired: string[];
}

async function newKey(alg: SigningAlg, kek: Buffer, now: number, activatesAt: number): Promise<SigningKey> {
  const generated = await generateSigningKey(alg);
  return {
    kid: generated.kid,
    alg,
    publicJwk: generated.publicJwk,
    encryptedPrivateKey: encryptPrivateKey(generated.privateKey, generated.kid, kek),
    createdAt: now,
    activatesAt,
    retiredAt: null,
    expiresAt: null,
  };
}

/**
 * Refuses to write under a KEK that cannot open the keys already stored: keys encrypted under two KEKs would leave some
 * nodes unable to sign. Throws KeyDecryptionError naming a kid.
 */
export function assertKekOpens(keys: readonly SigningKey[], kek: Buffer, now: number): void {
  for (const k of keys) if (keyState(k, now) !== 'expired') decryptPrivateKey(k.encryptedPrivateKey, k.kid, kek);
}

/** Replaces `old` by `next` at `next.activatesAt`. */
async function handOver(store: SigningKeysStore, old: SigningKey | undefined, next: SigningKey, settings: KeySettings, change: KeyChange) {
  await store.create(next);
  change.created.push(next);
  if (old) {
    await store.setRetirement(old.kid, next.activatesAt, next.activatesAt + settings.retainSeconds);
    change.retired.push(old.kid);
  }
}

/**
 * Start-up and the janitor's schedule: every algorithm gets a signing key (the first start creates one per algorithm),
 * and a key that has signed for `rotateAfterSeconds` gets a successor, published now and signing later.
 */
export async function ensureKeys(store: SigningKeysStore, kek: Buffer, now: number, settings: KeySettings): Promise<KeyChange> {
  const keys = await store.list();
  assertKekOpens(keys, kek, now);
  const change: KeyChange = { created: [], retired: [] };
  for (const alg of SIGNING_ALGS) {
    const active = currentKey(keys, alg, now);
    const pending = nextKey(keys, alg, now);
    if (!active) {
      // Nothing signs for this algorithm (first start, or every key retired): one signs at once, until a pending
      // key takes over.
      const key = await newKey(alg, kek, now, now);
      if (pending) {
        key.retiredAt = pending.activatesAt;
        key.expiresAt = pending.activatesAt + settings.retainSeconds;
      }
      await store.create(key);
      change.created.push(key);
    } else if (!pending && settings.rotateAfterSeconds > 0 && now - active.activatesAt >= settings.rotateAfterSeconds) {
      await handOver(store, active, await newKey(alg, kek, now, now + settings.publishAheadSeconds), settings, change);
    }
  }
  return change;
}

/**
 * `latchkey keys rotate`: a successor for `alg`, signing after `publishAheadSeconds`, or at once with `immediate` (a
 * compromised key: relying parties whose cached JWKS lacks the new key refetch it, or fail until their cache ends).
 * A successor already pending is replaced.
 */
export async function rotateKey(
  store: SigningKeysStore,
  kek: Buffer,
  now: number,
  settings: KeySettings,
  alg: SigningAlg,
  immediate: boolean,
): Promise<KeyChange> {
  const keys = await store.list();
  assertKekOpens(keys, kek, now);
  const change: KeyChange = { created: [], retired: [] };
  for (const k of keys) {
    // A pending key never signed: it can go from the JWKS at once.
    if (k.alg === alg && keyState(k, now) === 'next') {
      await store.setRetirement(k.kid, now, now);
      change.retired.push(k.kid);
    }
  }
  const current = currentKey(keys, alg, now);
  // With no key signing (a database no server has started on yet), there is nothing to wait for.
  const activatesAt = immediate || !current ? now : now + settings.publishAheadSeconds;
  await handOver(store, current, await newKey(alg, kek, now, activatesAt), settings, change);
  return change;
}

export type RetireOutcome = { retired: SigningKey; replacement: SigningKey | undefined } | undefined;

/**
 * `latchkey keys retire <kid>`: the key stops signing now. It stays published until the tokens it signed have expired,
 * unless `unpublish` (a compromised key: tokens it signed must stop validating). If it was the signing key of its
 * algorithm, a fresh key signs at once in its place. Undefined when there is no such key.
 */
export async function retireKey(
  store: SigningKeysStore,
  kek: Buffer,
  now: number,
  settings: KeySettings,
  kid: string,
  unpublish: boolean,
): Promise<RetireOutcome> {
  const keys = await store.list();
  const key = keys.find((k) => k.kid === kid);
  if (!key) return undefined;
  const state = keyState(key, now);
  const retiredAt = state === 'retired' || state === 'expired' ? (key.retiredAt ?? now) : now;
  // A key that never signed (still pending) has no tokens to outlive; one activated this very second may have.
  const signed = key.activatesAt <= retiredAt;
  const expiresAt = unpublish || !signed ? Math.min(now, key.expiresAt ?? now) : (key.expiresAt ?? retiredAt + settings.retainSeconds);
  await store.setRetirement(kid, retiredAt, expiresAt);
  const after = keys.map((k) => (k.kid === kid ? { ...k, retiredAt, expiresAt } : k));
  let replacement: SigningKey | undefined;
  if (!currentKey(after, key.alg, now)) {
    const change = await ensureKeys(store, kek, now, settings);
    replacement = change.created.find((k) => k.alg === key.alg);
  }
  return { retired: { ...key, retiredAt, expiresAt }, replacement };
}
