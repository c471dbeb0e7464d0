import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { formatProfiles, profileViews } from '../../src/cli/profiles.ts';
import { parseConfig } from '../../src/config/load.ts';

/** `latchkey profiles list`: every profile, what it changes, and which the configuration switches on. */

const run = promisify(execFile);
const bin = join(import.meta.dirname, '../../bin/latchkey.mjs');

describe('latchkey profiles list', () => {
  it('lists every profile with its routes and changes, marking the enabled ones', () => {
    const views = profileViews(parseConfig({ profiles: ['atomgit', 'twitch'] }));
    expect(views.map((v) => [v.name, v.enabled])).toEqual([['redcore', false], ['twitch', true], ['moltin', false], ['atomgit', true]]);
    expect(views.find((v) => v.name === 'twitch')?.routes).toEqual({ authorize: '/kraken/oauth2/authorize', token: '/kraken/oauth2/token' });
    for (const v of views) expect(v.changes.length).toBeGreaterThan(0);
    const text = formatProfiles(views);
    expect(text).toContain('twitch (on)');
    expect(text).toContain('redcore (off)');
    expect(text).toContain('On: twitch, atomgit');
  });

  it('says that no profile is on by default', () => {
    expect(formatProfiles(profileViews(parseConfig({})))).toMatch(/No profile is on/);
  });

  it('prints JSON from the command line with the config file given by -c', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-profiles-'));
    try {
      const file = join(dir, 'config.json');
      writeFileSync(file, JSON.stringify({ profiles: ['moltin'] }));
      const { stdout } = await run(process.execPath, [bin, 'profiles', 'list', '--json', '-c', file], { env: { PATH: process.env['PATH'] ?? '' } });
      const views = JSON.parse(stdout) as { name: string; enabled: boolean }[];
      expect(views.filter((v) => v.enabled).map((v) => v.name)).toEqual(['moltin']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails with the key named when the config lists an unknown profile', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-profiles-'));
    try {
      const file = join(dir, 'config.json');
      writeFileSync(file, JSON.stringify({ profiles: ['github'] }));
      const err = await run(process.execPath, [bin, 'profiles', 'list', '-c', file], { env: { PATH: process.env['PATH'] ?? '' } }).then(
        () => undefined,
        (e: unknown) => e as { code: number; stderr: string },
      );
      expect(err?.code).toBe(1);
      expect(err?.stderr).toContain('profiles.0');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
