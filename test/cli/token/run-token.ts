import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, cleanEnv, ROOT, type Run } from '../../support/cli.ts';

/**
 * `latchkey token` as a child process whose stderr can be watched while it runs (the authorization URL, the user
 * code), whose stdin can stay open (a person who has not pasted anything yet), and whose argv, and every other
 * process's, can be searched for a secret as `ps` would show it.
 */
export interface Running {
  /** Resolves with the first match of `pattern` in stderr so far or to come. */
  waitForStderr(pattern: RegExp): Promise<RegExpMatchArray>;
  write(text: string): void;
  endInput(): void;
  done: Promise<Run>;
}

/** A fresh config folder, so each test starts with an empty token cache. */
export const freshConfigHome = (): string => mkdtempSync(join(tmpdir(), 'latchkey-token-home-'));

export function startLatchkey(args: readonly string[], options: { input?: string; keepInputOpen?: boolean; env?: Record<string, string> } = {}): Running {
  const env = cleanEnv(options.env);
  // The developer's own browser never opens: only a test that sets BROWSER gets one.
  if (options.env?.['BROWSER'] === undefined) delete env['BROWSER'];
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: { pattern: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      const m = w.pattern.exec(stderr);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    check();
  });
  if (options.input !== undefined) child.stdin.write(options.input);
  if (options.keepInputOpen !== true) child.stdin.end();
  const done = new Promise<Run>((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr })));
  return {
    waitForStderr: (pattern) =>
      new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve });
        check();
        void done.then(() => reject(new Error(`latchkey ended before printing ${String(pattern)}; stderr: ${stderr}`)));
      }),
    write: (text) => child.stdin.write(text),
    endInput: () => child.stdin.end(),
    done,
  };
}

/** Runs to the end. */
export const runLatchkey = (args: readonly string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<Run> => startLatchkey(args, options).done;

/** The command lines of every process on the machine that this user can read: what `ps -ef` prints. */
export function allCommandLines(): string[] {
  const lines: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      lines.push(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' '));
    } catch {
      // The process ended while we looked.
    }
  }
  return lines;
}
