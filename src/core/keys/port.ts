import type { PublicJwk, SigningAlg } from './algorithms.ts';

/**
 * A signing key as stored. Its state follows from its times and the clock, so every node agrees without a write at
 * each transition: it signs from `activatesAt` until `retiredAt`, and is published in the JWKS until `expiresAt`.
 */
export interface SigningKey {
  kid: string;
  alg: SigningAlg;
  publicJwk: PublicJwk;
  /** AES-256-GCM ciphertext of the private key (kek.ts); never decrypted outside the keyring. */
  encryptedPrivateKey: string;
  createdAt: number;
  activatesAt: number;
  retiredAt: number | null;
  expiresAt: number | null;
}

/** What the keys need from storage (implemented in storage/kysely/signing-keys.ts). */
export interface SigningKeysStore {
  /** Every stored key, oldest first. */
  list(): Promise<SigningKey[]>;
  create(key: SigningKey): Promise<void>;
  /** Sets when the key stops signing and stops being published; false when there is no such key. */
  setRetirement(kid: string, retiredAt: number, expiresAt: number): Promise<boolean>;
  /** Deletes the keys unpublished before `now`; returns how many went. */
  deleteExpired(now: number): Promise<number>;
}

/**
 * Changes to the key set run one at a time across every node (start-up, the janitor's rotation check, the CLI), so two
 * nodes cannot both create "the first key" or "the next key" of an algorithm.
 */
export interface KeyStorePort {
  store: SigningKeysStore;
  exclusive<T>(fn: (store: SigningKeysStore) => Promise<T>): Promise<T>;
}
