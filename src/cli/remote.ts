import type { Command } from 'commander';

/** Every item of a paged admin API list; oauth4webapi and the rest are loaded only when --server is given. */
export async function adminApiList<T>(server: string, path: string): Promise<T[]> {
  return (await import('./token/admin-session.ts')).adminApiList<T>(server, path);
}

/** One admin API request to a remote Latchkey (admin-session.ts adminApiRequest), loaded only when --server is given. */
export async function adminApiRequest(server: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  return (await import('./token/admin-session.ts')).adminApiRequest(server, method, path, body);
}

/**
 * `--server URL` on the management commands that can work over HTTP: instead of opening a database, they call that
 * Latchkey's admin API with the token `latchkey admin login --server URL` cached (docs/cli.md).
 */
export interface ServerOption {
  server?: string;
}

export function withServerOption(cmd: Command): Command {
  return cmd.option('--server <url>', 'a remote Latchkey: use its admin API (after `latchkey admin login --server <url>`) instead of the database');
}

/** The fields of the admin API's application and user objects (docs/admin-api.md) that the tables show. */
export interface RemoteClient {
  id: string;
  name: string;
  type: string;
  grantTypes: string[];
}

export interface RemoteUser {
  username: string;
  name: string | null;
  email: string | null;
  isAdmin: boolean;
  disabledAt: string | null;
}
