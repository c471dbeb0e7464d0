import type { Config } from '../config/schema.ts';
import type { Logger } from '../core/context.ts';
import type { SettingsRepository } from '../core/admin-repositories.ts';

/**
 * Global token lifetimes an administrator changes from the console or the API, without touching the configuration
 * file. They are stored in the database (table `settings`, keys `tokens.<name>`) and laid over the file's values in
 * the `config.tokens` object every request already reads (core/context.ts `lifetimes`, token/issue.ts): the token
 * path pays nothing for it. This module is the only writer of `config.tokens`. Each node re-reads the table
 * periodically, so a change made on one node reaches the others within `refreshSeconds`.
 */

export const TOKEN_SETTING_NAMES = ['accessTokenTtl', 'refreshTokenTtl', 'codeTtl', 'refreshTokenGraceSeconds'] as const;
export type TokenSettingName = (typeof TOKEN_SETTING_NAMES)[number];
export type TokenSettings = Pick<Config['tokens'], TokenSettingName>;

const KEY_PREFIX = 'tokens.';

export interface LiveTokenSettings {
  /** The configuration file's values. */
  readonly configured: Readonly<TokenSettings>;
  /** The settings stored in the database (the ones the console changed). */
  overridden(): Promise<Partial<TokenSettings>>;
  /** Stores the changes (`null`: back to the file's value) and applies them at once on this node. */
  update(changes: { [K in TokenSettingName]?: TokenSettings[K] | null | undefined }, now: number): Promise<void>;
  /** Re-reads the database and applies it. */
  reload(): Promise<void>;
  /** Reloads every `seconds` until stopped (the timer does not keep the process alive). */
  startRefreshing(seconds: number, logger: Logger): { stop(): void };
}

function valid(name: TokenSettingName, value: unknown): value is TokenSettings[TokenSettingName] {
  if (name === 'refreshTokenTtl' && value === 'never') return true;
  const min = name === 'refreshTokenGraceSeconds' ? 0 : 1;
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min;
}

/**
 * Takes over `config.tokens` (which the caller made private to this Latchkey instance): the file's values are kept
 * aside, and the stored ones are applied on `reload`.
 */
export function liveTokenSettings(config: Config, repo: SettingsRepository): LiveTokenSettings {
  const configured: TokenSettings = Object.freeze({ ...pick(config.tokens) });
  const stored = async (): Promise<Partial<TokenSettings>> => {
    const all = await repo.all();
    const out: Partial<Record<TokenSettingName, unknown>> = {};
    for (const name of TOKEN_SETTING_NAMES) {
      const value = all[KEY_PREFIX + name];
      // A value this version cannot use (written by hand, or by another version) is ignored, not applied.
      if (value !== undefined && valid(name, value)) out[name] = value;
    }
    return out as Partial<TokenSettings>;
  };
  const apply = (over: Partial<TokenSettings>) => Object.assign(config.tokens, configured, over);
  const self: LiveTokenSettings = {
    configured,
    overridden: stored,
    async update(changes, now) {
      const values: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(changes)) if (value !== undefined) values[KEY_PREFIX + name] = value;
      await repo.set(values, now);
      await self.reload();
    },
    async reload() {
      apply(await stored());
    },
    startRefreshing(seconds, logger) {
      const timer = setInterval(() => {
        self.reload().catch((err: unknown) => logger.warn({ event: 'settings_reload_failed', err }, 'could not re-read the token settings'));
      }, seconds * 1000);
      timer.unref();
      return { stop: () => clearInterval(timer) };
    },
  };
  return self;
}

function pick(t: TokenSettings): TokenSettings {
  return {
    accessTokenTtl: t.accessTokenTtl,
    refreshTokenTtl: t.refreshTokenTtl,
    codeTtl: t.codeTtl,
    refreshTokenGraceSeconds: t.refreshTokenGraceSeconds,
  };
}
