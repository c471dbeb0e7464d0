import type { Command } from 'commander';
import { isoTime } from '../core/clock.ts';
import { SIGNING_ALGS, isSigningAlg, type SigningAlg } from '../core/keys/algorithms.ts';
import { KeyDecryptionError } from '../core/keys/kek.ts';
import { resolveKek } from '../core/keys/kek-source.ts';
import { retireKey, rotateKey, type KeyChange } from '../core/keys/rotation.ts';
import { keySettings } from '../core/keys/schedule.ts';
import { keyView, type KeyView } from '../core/keys/service.ts';
import { sqlitePath } from '../storage/index.ts';
import { CliError, type CliContext, type CommonOptions, table, withCommonOptions, withStorage } from './context.ts';

/** `latchkey keys list|rotate|retire`: the signing keys behind the JWKS (README, Signing keys). */

interface RotateOptions extends CommonOptions {
  alg?: string;
  now?: boolean;
}

interface RetireOptions extends CommonOptions {
  unpublish?: boolean;
}

const orDash = (t: number | null) => (t === null ? '-' : isoTime(t));
const json = (k: KeyView) => ({ ...k, createdAt: isoTime(k.createdAt), activatesAt: isoTime(k.activatesAt), retiredAt: k.retiredAt === null ? null : isoTime(k.retiredAt), expiresAt: k.expiresAt === null ? null : isoTime(k.expiresAt) });

/** Changes under the start-up lock, with the KEK the server uses; a KEK that cannot open the stored keys writes nothing. */
async function change<T>(ctx: CliContext, fn: (kek: Buffer, settings: ReturnType<typeof keySettings>) => (store: CliContext['repos']['signingKeys']) => Promise<T>): Promise<T> {
  const kek = resolveKek(ctx.config.keys, sqlitePath(ctx.config.database)).kek;
  try {
    return await ctx.storage.exclusive((repos) => fn(kek, keySettings(ctx.config))(repos.signingKeys));
  } catch (err) {
    if (err instanceof KeyDecryptionError) {
      throw new CliError(`${err.message}: give the key-encryption key the server uses (LATCHKEY_KEY_ENCRYPTION_KEY or keys.keyEncryptionKeyFile)`);
    }
    throw err;
  }
}

const runningNote = (ctx: CliContext) => ctx.out.note(`running servers see the change within cacheTtlMs (${ctx.config.cacheTtlMs} ms)`);

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('manage the signing keys (ID tokens, the JWKS)');

  withCommonOptions(keys.command('list').description('list the signing keys with their state: next, active, retired, expired')).action((opts: CommonOptions) =>
    withStorage(opts, async ({ repos, out, now }) => {
      const all = (await repos.signingKeys.list()).map((k) => keyView(k, now));
      out.result(all.map(json), () =>
        table(
          ['KID', 'ALG', 'STATE', 'CREATED', 'SIGNS FROM', 'RETIRED', 'UNPUBLISHED'],
          all.map((k) => [k.kid, k.alg, k.state, isoTime(k.createdAt), isoTime(k.activatesAt), orDash(k.retiredAt), orDash(k.expiresAt)]),
          'no signing keys yet: `latchkey start` creates them',
        ),
      );
    }),
  );

  withCommonOptions(
    keys
      .command('rotate')
      .description(
        'create the next signing key: published in the JWKS now, signing after keys.publishAheadSeconds, when the current key is retired ' +
          '(it stays published until the tokens it signed have expired)',
      )
      .option('--alg <alg>', `only this algorithm (${SIGNING_ALGS.join(', ')}); default: every algorithm`)
      .option('--now', 'sign with the new key at once (a compromised key); relying parties whose cached JWKS lacks it may fail to validate until they refetch it'),
  ).action((opts: RotateOptions) =>
    withStorage(opts, async (ctx) => {
      if (opts.alg !== undefined && !isSigningAlg(opts.alg)) throw new CliError(`--alg "${opts.alg}": one of ${SIGNING_ALGS.join(', ')}`);
      const algs: readonly SigningAlg[] = opts.alg === undefined ? SIGNING_ALGS : [opts.alg];
      const result = await change(ctx, (kek, settings) => async (store) => {
        const all: KeyChange = { created: [], retired: [] };
        for (const alg of algs) {
          const c = await rotateKey(store, kek, ctx.now, settings, alg, opts.now === true);
          all.created.push(...c.created);
          all.retired.push(...c.retired);
        }
        return all;
      });
      const created = result.created.map((k) => keyView(k, ctx.now));
      ctx.out.result({ created: created.map(json), retired: result.retired }, () =>
        created.map((k) => `Created ${k.alg} key ${k.kid}: ${k.state === 'active' ? 'signing now' : `published now, signing from ${isoTime(k.activatesAt)}`}`).join('\n'),
      );
      runningNote(ctx);
    }),
  );

  withCommonOptions(
    keys
      .command('retire')
      .description('stop signing with a key now (a fresh key replaces the active one); it stays published until the tokens it signed have expired')
      .argument('<kid>')
      .option('--unpublish', 'remove it from the JWKS at once as well (a compromised key): tokens it signed stop validating'),
  ).action((kid: string, opts: RetireOptions) =>
    withStorage(opts, async (ctx) => {
      const outcome = await change(ctx, (kek, settings) => (store) => retireKey(store, kek, ctx.now, settings, kid, opts.unpublish === true));
      if (!outcome) throw new CliError(`signing key "${kid}" not found`);
      const retired = keyView(outcome.retired, ctx.now);
      const replacement = outcome.replacement ? keyView(outcome.replacement, ctx.now) : undefined;
      ctx.out.result({ retired: json(retired), replacement: replacement ? json(replacement) : null }, () =>
        [
          `Retired ${retired.alg} key ${kid}: ${retired.state === 'expired' ? 'no longer published' : `published until ${orDash(retired.expiresAt)}`}`,
          ...(replacement ? [`Created ${replacement.alg} key ${replacement.kid}: signing now`] : []),
        ].join('\n'),
      );
      runningNote(ctx);
    }),
  );
}
