import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { ConfigError } from '../../src/config/load.ts';

/** Returns the ConfigError message thrown by `fn`; fails the test if it does not throw one. */
export function configErrorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
}

/** Config files in temporary folders (JSON, or a string as is), all removed by `cleanup` (give it to afterEach). */
export function configFiles(): { file(content: unknown): string; cleanup(): void } {
  const dirs: string[] = [];
  return {
    file(content) {
      const dir = mkdtempSync(join(tmpdir(), 'latchkey-config-'));
      dirs.push(dir);
      const path = join(dir, 'latchkey.json');
      writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
      return path;
    },
    cleanup() {
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  };
}
