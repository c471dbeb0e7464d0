import type { Command } from 'commander';
import type { Config } from '../config/schema.ts';
import { PROFILES, type ProfileName } from '../profiles/index.ts';
import { type CommonOptions, loadCliConfig, output, withCommonOptions } from './context.ts';

/** `latchkey profiles list`: the migration profiles, what each changes, and which the configuration switches on. */

export interface ProfileView {
  name: ProfileName;
  enabled: boolean;
  description: string;
  routes: { authorize?: string; token?: string };
  changes: readonly string[];
}

export function profileViews(config: Pick<Config, 'profiles'>): ProfileView[] {
  return Object.values(PROFILES).map((p) => ({
    name: p.name,
    enabled: config.profiles.includes(p.name),
    description: p.description,
    routes: { ...p.routes },
    changes: p.changes,
  }));
}

export function formatProfiles(views: readonly ProfileView[]): string {
  const blocks = views.map((v) =>
    [`${v.name} (${v.enabled ? 'on' : 'off'}): ${v.description}`, ...v.changes.map((c) => `  - ${c}`)].join('\n'),
  );
  const on = views.filter((v) => v.enabled).map((v) => v.name);
  const footer = on.length === 0 ? 'No profile is on: only the standard endpoints are served. Set "profiles" in the config to add one.' : `On: ${on.join(', ')}`;
  return [...blocks, footer].join('\n\n');
}

export function registerProfiles(program: Command): void {
  const profiles = program.command('profiles').description('migration profiles for clients written to another provider (docs/profiles.md)');
  withCommonOptions(profiles.command('list').description('show the profiles, what each changes, and which are on')).action((opts: CommonOptions) => {
    const views = profileViews(loadCliConfig(opts));
    output(opts.json === true).result(views, () => formatProfiles(views));
  });
}
