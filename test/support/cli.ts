import { execFile } from 'node:child_process';
import { join } from 'node:path';

/** Runs the real `latchkey` bin as a child process, as a person runs it (the sources, not a stale dist/ build). */

export const ROOT = join(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'latchkey.mjs');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment without the developer's own LATCHKEY_* settings. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('LATCHKEY_') && !k.startsWith('npm_')) env[k] = v;
  return { ...env, ...extra };
}

export function latchkey(args: readonly string[], options: { input?: string; env?: Record<string, string>; cwd?: string } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { cwd: options.cwd ?? ROOT, env: cleanEnv(options.env), timeout: 100_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
    child.stdin?.end(options.input ?? '');
  });
}
