import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * A throwaway PostgreSQL server for tests: Debian's binaries (`apt-get install postgresql`), a cluster in a temporary
 * directory, on a free 127.0.0.1 port, trust authentication, no fsync. PostgreSQL refuses to run as root, so under
 * root (CI, containers) the cluster belongs to the `postgres` user and its commands run through runuser.
 */

export const POSTGRES_MISSING =
  'PostgreSQL is not installed, so the PostgreSQL tests are skipped: install it with `apt-get install postgresql` ' +
  '(Debian/Ubuntu; the tests need initdb and pg_ctl, in /usr/lib/postgresql/<version>/bin or on the PATH)';

/** The directory holding initdb and pg_ctl, or undefined when PostgreSQL is not installed. */
export function postgresBinDir(): string | undefined {
  const fromEnv = process.env['LATCHKEY_PG_BIN'];
  if (fromEnv && existsSync(join(fromEnv, 'initdb'))) return fromEnv;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0] !== undefined) return join(root, versions[0], 'bin');
  }
  for (const dir of (process.env['PATH'] ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  return undefined;
}

export interface PostgresServer {
  /** The maintenance database's URL: postgres://postgres@127.0.0.1:<port>/postgres */
  readonly url: string;
  readonly port: number;
  /** Creates an empty database and returns its URL. */
  createDatabase(prefix?: string): Promise<string>;
  /** Stops the server: `fast` disconnects clients and shuts down cleanly; `immediate` is a crash. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Starts it again after `stop`, on the same port, with the same data. */
  start(): Promise<void>;
  /**
   * SIGSTOPs the server and all its backends: connections stay open and the kernel still accepts new ones, but nothing
   * answers (a hung or black-holed database). `thaw` resumes it.
   */
  freeze(): void;
  thaw(): void;
  /** Stops the server (if running) and deletes its data. */
  destroy(): Promise<void>;
  /** Synchronous best-effort stop, for process exit handlers. */
  killSync(): void;
}

const isRoot = () => process.getuid?.() === 0;

function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  const gid = id('-g');
  if (!Number.isInteger(uid) || uid <= 0) throw new Error('running as root, and there is no `postgres` user to own the test cluster');
  return { uid, gid };
}

/** Runs a PostgreSQL binary, as the postgres user when we are root. */
function run(bin: string, args: string[], timeoutMs = 60_000): void {
  const [cmd, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  const r = spawnSync(cmd, argv as string[], { encoding: 'utf8', timeout: timeoutMs });
  if (r.status !== 0) throw new Error(`${bin.split('/').pop()} failed (${r.status ?? r.signal}): ${r.stderr || r.stdout}`);
}

/** The processes whose parent is `pid`, from /proc (no procps needed). */
function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** initdb + pg_ctl start; resolves when the server accepts connections. */
export async function startPostgres(options: { maxConnections?: number } = {}): Promise<PostgresServer> {
  const bin = postgresBinDir();
  if (!bin) throw new Error(POSTGRES_MISSING);
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-pg-'));
  if (isRoot()) {
    const { uid, gid } = postgresUser();
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--locale=C']);
  let port = await freePort();
  // Tests only: durability off for speed (the tests kill Latchkey, not PostgreSQL, or stop it cleanly).
  const settings = () =>
    [
      `-p ${port}`,
      '-c listen_addresses=127.0.0.1',
      `-c unix_socket_directories=${dir}`,
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      `-c max_connections=${options.maxConnections ?? 300}`,
    ].join(' ');
  let running = false;
  const ctl = (args: string[]) => run(join(bin, 'pg_ctl'), ['-D', data, ...args]);
  const start = async () => {
    ctl(['-o', settings(), '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
    running = true;
  };
  for (let attempt = 0; ; attempt++) {
    try {
      await start();
      break;
    } catch (err) {
      // Another process took the port between our probe and the start: try another one.
      if (attempt >= 2) throw err;
      port = await freePort();
    }
  }
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const signalAll = (signal: NodeJS.Signals) => {
    const postmaster = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const children = childPids(postmaster);
    // The postmaster first when stopping (no new backends), last when resuming.
    const order = signal === 'SIGSTOP' ? [postmaster, ...children] : [...children, postmaster];
    for (const pid of order) process.kill(pid, signal);
  };
  return {
    url,
    port,
    async createDatabase(prefix = 'lk') {
      const name = `${prefix}_${randomBytes(6).toString('hex')}`;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name}"`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async stop(mode = 'fast') {
      if (!running) return;
      ctl(['-m', mode, '-w', 'stop']);
      running = false;
    },
    start,
    freeze: () => signalAll('SIGSTOP'),
    thaw: () => signalAll('SIGCONT'),
    async destroy() {
      if (running) {
        try {
          ctl(['-m', 'immediate', '-w', 'stop']);
        } catch {
          // already gone
        }
        running = false;
      }
      rmSync(dir, { recursive: true, force: true });
    },
    killSync() {
      if (!running) return;
      try {
        ctl(['-m', 'immediate', '-w', 'stop']);
      } catch {
        // best effort
      }
      running = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
