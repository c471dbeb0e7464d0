import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { authorizeAsUser, type UserChoices } from '../support/user-agent.ts';

/**
 * Runs a relying party written in another language as a child process, with one JSON line per step on stdout:
 * first {"authorization_url": ...}; then, once the test has written the redirect URL to its stdin, the summary or
 * {"error": ...}. Waits are bounded by the child's output (and a wide safety timeout), never by the clock.
 */

export type RpLine = Record<string, unknown>;

export interface RpRun {
  /** The authorization URL the relying party built. */
  authorizationUrl: URL;
  /** Writes one line to the relying party (the redirect URL, or "go on") and resolves with its next line. */
  send(line: string | URL): Promise<RpLine>;
  /** Writes its last input line (the redirect URL, or "go on") and resolves with its last line (summary or error). */
  finish(line: string | URL): Promise<RpLine>;
  kill(): void;
}

const SAFETY_TIMEOUT_MS = 60_000;

export async function startRelyingParty(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<RpRun> {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const timer = setTimeout(() => child.kill('SIGKILL'), SAFETY_TIMEOUT_MS);
  // A command that cannot start (ENOENT) emits 'error'; its message goes with the "ended without output" error.
  const exited = new Promise<number | null>((resolve) => {
    child.on('close', (code) => resolve(code));
    child.on('error', (err) => {
      stderr += String(err);
      resolve(null);
    });
  });
  exited.finally(() => clearTimeout(timer)).catch(() => undefined);

  const next = async (): Promise<RpLine> => {
    const line = await lines.next();
    if (line.done === true) throw new Error(`the relying party ended without output (exit ${String(await exited)}): ${stderr.slice(0, 2000)}`);
    return JSON.parse(line.value) as RpLine;
  };

  const first = await next();
  if (typeof first['authorization_url'] !== 'string') throw new Error(`the relying party failed before the redirect: ${JSON.stringify(first)}`);
  return {
    authorizationUrl: new URL(first['authorization_url']),
    async send(line) {
      child.stdin.write(`${String(line)}\n`);
      return next();
    },
    async finish(line) {
      child.stdin.end(`${String(line)}\n`);
      const last = await next();
      await exited;
      return last;
    },
    kill: () => child.kill('SIGKILL'),
  };
}

/**
 * Runs a relying party through one sign-in: it builds the authorization URL, the test's user agent logs in and
 * consents on the real pages, and the redirect goes back to it. Returns the URL it built and its last line.
 */
export async function signInWith(
  server: { url: string },
  command: string,
  args: string[],
  user: UserChoices,
): Promise<{ authorizationUrl: URL; result: RpLine }> {
  const rp = await startRelyingParty(command, args);
  try {
    const out = await authorizeAsUser(server, rp.authorizationUrl, user);
    if (!out.location) throw new Error(`expected a redirect to the relying party, got ${out.status} ${out.page ?? ''}`);
    return { authorizationUrl: rp.authorizationUrl, result: await rp.finish(out.location) };
  } finally {
    rp.kill();
  }
}

/** The part of vitest's test context this helper uses. */
export interface SkippableContext {
  skip(note?: string): never;
}

const warned = new Set<string>();

/**
 * A tool this interop test needs (python3-authlib, go with go-oidc): missing, it fails the run under CI=true (.ci/run
 * installs it) and skips the test elsewhere with the install hint.
 */
export function requireTool(ctx: SkippableContext, available: boolean, hint: string): void {
  if (available) return;
  if (process.env['CI'] === 'true') throw new Error(`${hint}. CI=true: the interop tests must run, not skip.`);
  // The skip note is not shown by every reporter: say it once on stderr too.
  if (!warned.has(hint)) console.warn(`Skipping: ${hint}`);
  warned.add(hint);
  ctx.skip(hint);
}

/** True when `command args` runs and exits 0 (e.g. an import check). */
export const runsOk = (command: string, args: string[]): boolean => spawnSync(command, args, { stdio: 'ignore' }).status === 0;
