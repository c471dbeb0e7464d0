import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { buildLatchkey, type Latchkey } from '../../src/main.ts';
import { latchkey as run } from '../support/cli.ts';
import { testConfig } from '../support/server.ts';

/**
 * `latchkey registration tokens create|list|revoke` (RFC 7591 §3 initial access tokens), run as the real bin against
 * the SQLite file of a server in token mode running in this process, each token then presented at /register.
 */

let dir: string;
let db: string;
let url: string;
let server: Latchkey;

const latchkey = (args: readonly string[]) => run([...args, '-d', db]);

interface Created {
  token: string;
  registrationToken: { id: string; state: string; expiresAt: string | null; maxUses: number | null; uses: number };
}

async function okJson<T>(args: readonly string[]): Promise<T> {
  const r = await latchkey([...args, '--json']);
  expect(r, `latchkey ${args.join(' ')}`).toMatchObject({ code: 0 });
  return JSON.parse(r.stdout) as T;
}

const registerWith = (token: string) =>
  fetch(`${url}/register`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ redirect_uris: ['https://app.example/cb'] }) });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-cli-registration-'));
  db = join(dir, 'latchkey.db');
  server = await buildLatchkey(parseConfig({ ...testConfig({ cacheTtlMs: 0, registration: { mode: 'token', perHour: 0 } }), database: db, port: 0, host: '127.0.0.1', issuer: 'http://127.0.0.1' }));
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  const address = server.app.server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('latchkey registration tokens', () => {
  it('creates a token shown once, good for --uses registrations, then used up', async () => {
    const created = await okJson<Created>(['registration', 'tokens', 'create', '--uses', '1']);
    expect(created.token).toMatch(/^lk_ia_/);
    expect(created.registrationToken).toMatchObject({ state: 'active', maxUses: 1, uses: 0 });
    expect((await registerWith(created.token)).status).toBe(201);
    expect((await registerWith(created.token)).status).toBe(401);
    const list = await okJson<{ id: string; state: string; uses: number }[]>(['registration', 'tokens', 'list']);
    expect(list.find((t) => t.id === created.registrationToken.id)).toMatchObject({ state: 'used up', uses: 1 });
    // Listed, never shown again.
    expect((await latchkey(['registration', 'tokens', 'list'])).stdout).not.toContain(created.token);
  });

  it('prints the token with a hint in human form, and takes --expires as 30m, 12h, 7d or seconds', async () => {
    const r = await latchkey(['registration', 'tokens', 'create', '--expires', '12h']);
    expect(r.code).toBe(0);
    const token = /lk_ia_\S+/.exec(r.stdout)?.[0] ?? '';
    expect(token).not.toBe('');
    expect(r.stdout).toContain('Authorization: Bearer');
    const created = await okJson<Created>(['registration', 'tokens', 'create', '--expires', '90']);
    const expiresIn = (Date.parse(created.registrationToken.expiresAt ?? '') - Date.now()) / 1000;
    expect(expiresIn).toBeGreaterThan(0);
    expect(expiresIn).toBeLessThanOrEqual(90);
    expect((await registerWith(token)).status).toBe(201);
  });

  it('revokes a token: registrations with it are refused; revoking again is not_found', async () => {
    const created = await okJson<Created>(['registration', 'tokens', 'create']);
    const id = created.registrationToken.id;
    const revoked = await latchkey(['registration', 'tokens', 'revoke', id]);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain(id);
    expect((await registerWith(created.token)).status).toBe(401);
    const again = await latchkey(['registration', 'tokens', 'revoke', id, '--json']);
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stderr || again.stdout)).toMatchObject({ error: 'not_found' });
  });

  it.each([
    [['--expires', 'soon'], '--expires'],
    [['--expires', '10'], '--expires'],
    [['--uses', '0'], '--uses'],
    [['--uses', 'many'], '--uses'],
  ])('refuses create %j naming the option', async (args, option) => {
    const r = await latchkey(['registration', 'tokens', 'create', ...args]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(option);
  });
});
