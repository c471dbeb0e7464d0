import type { Clock } from '../clock.ts';
import type { Logger } from '../context.ts';
import type { SigningAlg } from './algorithms.ts';
import { KeyDecryptionError } from './kek.ts';
import { KekSourceError, type KekSource } from './kek-source.ts';
import { createKeyring, type Keyring } from './keyring.ts';
import type { KeyStorePort, SigningKey } from './port.ts';
import { ensureKeys, retireKey, rotateKey, type KeyChange, type RetireOutcome } from './rotation.ts';
import { keyState, type KeySettings, type KeyState } from './schedule.ts';

/** A key as the CLI, the admin API and the console show it: no key material beyond the public JWK. */
export interface KeyView {
  kid: string;
  alg: SigningAlg;
  state: KeyState;
  createdAt: number;
  activatesAt: number;
  retiredAt: number | null;
  expiresAt: number | null;
}

export const keyView = (k: SigningKey, now: number): KeyView => ({
  kid: k.kid,
  alg: k.alg,
  state: keyState(k, now),
  createdAt: k.createdAt,
  activatesAt: k.activatesAt,
  retiredAt: k.retiredAt,
  expiresAt: k.expiresAt,
});

/** The signing keys of a running server: the keyring that signs, and the operations the CLI, API and console share. */
export interface SigningKeys {
  keyring: Keyring;
  settings: KeySettings;
  list(): Promise<KeyView[]>;
  rotate(alg: SigningAlg, immediate: boolean): Promise<KeyChange>;
  retire(kid: string, unpublish: boolean): Promise<RetireOutcome>;
  /** The janitor's schedule: rotates keys that are due and deletes keys whose publication has ended. */
  maintain(): Promise<{ change: KeyChange; deleted: number }>;
}

export interface SigningKeysOptions {
  port: KeyStorePort;
  kek: KekSource;
  clock: Clock;
  settings: KeySettings;
  cacheTtlMs: number;
  logger: Logger;
}

const kekOrigin = (s: KekSource): string =>
  s.origin === 'environment' ? 'LATCHKEY_KEY_ENCRYPTION_KEY (keys.keyEncryptionKey)' : s.path ? `the file ${s.path}` : 'a key generated for this process';

/** A wrong KEK is a configuration mistake: say which one was used and how to give the right one, with no stack. */
function explained(err: unknown, kek: KekSource): unknown {
  if (!(err instanceof KeyDecryptionError)) return err;
  return new KekSourceError(
    `the key-encryption key from ${kekOrigin(kek)} cannot decrypt the stored signing keys (${err.message}); ` +
      'start with the key-encryption key they were created with (LATCHKEY_KEY_ENCRYPTION_KEY or keys.keyEncryptionKeyFile)',
  );
}

function logChange(logger: Logger, change: KeyChange, settings: KeySettings): void {
  for (const k of change.created) logger.info({ event: 'signing_key_created', kid: k.kid, alg: k.alg, activatesAt: k.activatesAt }, `created a ${k.alg} signing key`);
  for (const kid of change.retired) logger.info({ event: 'signing_key_retired', kid, retainSeconds: settings.retainSeconds }, 'retired a signing key');
}

/**
 * Start-up: makes sure every algorithm has a signing key (first start, or a rotation that fell due while no node ran),
 * and prepares the keyring. Stops with a KekSourceError when the KEK cannot open the stored keys.
 */
export async function openSigningKeys(o: SigningKeysOptions): Promise<SigningKeys> {
  const { port, clock, settings, logger } = o;
  const kek = o.kek.kek;
  if (o.kek.origin === 'generated') {
    logger.warn(
      { event: 'kek_generated', path: o.kek.path },
      `generated a key-encryption key for the signing keys at ${o.kek.path} (mode 0600): back it up with the database; without it the stored keys cannot sign`,
    );
  } else if (o.kek.origin === 'ephemeral') {
    logger.info({ event: 'kek_ephemeral' }, 'in-memory database: the signing keys are encrypted under a key that lives as long as this process');
  } else {
    logger.info({ event: 'kek_loaded', source: o.kek.origin, ...(o.kek.path ? { path: o.kek.path } : {}) }, `signing keys are encrypted under the key-encryption key from ${kekOrigin(o.kek)}`);
  }
  const keyring = createKeyring({ store: port.store, kek, clock, cacheTtlMs: o.cacheTtlMs });
  const guarded = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw explained(err, o.kek);
    }
  };
  const ensure = () => guarded(() => port.exclusive((store) => ensureKeys(store, kek, clock.now(), settings)));
  logChange(logger, await ensure(), settings);
  await guarded(() => keyring.reload());
  return {
    keyring,
    settings,
    async list() {
      const now = clock.now();
      return (await port.store.list()).map((k) => keyView(k, now));
    },
    async rotate(alg, immediate) {
      const change = await guarded(() => port.exclusive((store) => rotateKey(store, kek, clock.now(), settings, alg, immediate)));
      logChange(logger, change, settings);
      await keyring.reload();
      return change;
    },
    async retire(kid, unpublish) {
      const outcome = await guarded(() => port.exclusive((store) => retireKey(store, kek, clock.now(), settings, kid, unpublish)));
      if (outcome) logChange(logger, { created: outcome.replacement ? [outcome.replacement] : [], retired: [kid] }, settings);
      await keyring.reload();
      return outcome;
    },
    async maintain() {
      const change = await ensure();
      const deleted = await port.store.deleteExpired(clock.now());
      logChange(logger, change, settings);
      if (deleted > 0) logger.info({ event: 'signing_keys_deleted', count: deleted }, 'deleted signing keys whose publication ended');
      if (change.created.length > 0 || deleted > 0) await keyring.reload();
      return { change, deleted };
    },
  };
}
