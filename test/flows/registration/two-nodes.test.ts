import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInitialAccessToken } from '../../../src/admin/registration-tokens.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { systemClock } from '../../../src/core/clock.ts';
import { buildLatchkey, type Latchkey } from '../../../src/main.ts';
import { createTestDatabase, postgresUrl, skipNote } from '../../support/pg-url.ts';
import { testConfig } from '../../support/server.ts';
import { register } from './helpers.ts';

/**
 * Two nodes on one PostgreSQL: the per-address registration limit and an initial access token's uses are counted in
 * the database, so adding nodes multiplies neither.
 */

const WEB = { redirect_uris: ['https://app.example/cb'] };

describe.skipIf(!postgresUrl())(`registration across two nodes${skipNote()}`, () => {
  const nodes: { url: string; latchkey: Latchkey }[] = [];

  beforeAll(async () => {
    const database = await createTestDatabase('lk_dcr');
    const config = parseConfig({
      ...testConfig({ keys: { keyEncryptionKey: '07'.repeat(32) }, registration: { mode: 'token', perHour: 4 } }),
      database,
      host: '127.0.0.1',
      port: 0,
      issuer: 'http://127.0.0.1',
    });
    for (let i = 0; i < 2; i++) {
      // One after the other: the first migrates the database.
      const latchkey = await buildLatchkey(config);
      await latchkey.app.listen({ port: 0, host: '127.0.0.1' });
      const address = latchkey.app.server.address();
      nodes.push({ latchkey, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` });
    }
  });
  afterAll(async () => {
    for (const n of nodes) await n.latchkey.close();
  });

  it('gives a one-use token to exactly one of several registrations racing on both nodes, then limits the address', async () => {
    const [a, b] = nodes;
    if (!a || !b) throw new Error('two nodes expected');
    const { token } = await createInitialAccessToken({ repos: a.latchkey.deps.repos, clock: systemClock }, { maxUses: 1 });
    const statuses = await Promise.all([a, b, a, b].map((n) => register(n, WEB, { token }).then((r) => r.status)));
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 401)).toHaveLength(3);
    // Four requests counted of perHour 4, two per node: the fifth is refused on either node.
    expect((await register(a, WEB, { token })).status).toBe(429);
    expect((await register(b, WEB, { token })).status).toBe(429);
  });
});
