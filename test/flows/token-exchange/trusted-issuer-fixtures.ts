import type { ConfigInput } from '../../../src/config/schema.ts';
import { adminConfig } from '../../support/admin.ts';
import { postToken } from '../../support/flow-helpers.ts';
import type { TestServer } from '../../support/server.ts';
import { EXCHANGER_BASIC, exchangeConfig, JWT_BEARER, type Idp } from './fixtures.ts';

/**
 * Trusted issuers added at run time (admin API, CLI, console): the exchange fixtures plus an administrator, and a
 * partner issuer that only an administrator's action makes trusted.
 */

export const PARTNER = 'https://partner.example';

/** exchangeConfig (its IdP trusted through the config file) with the admin-cli client and the root administrator. */
export function exchangeAdminConfig(trusted: Idp, overrides: Partial<ConfigInput> = {}): Partial<ConfigInput> {
  const exchange = exchangeConfig(trusted);
  const admin = adminConfig();
  return {
    ...exchange,
    clients: [...(exchange.clients ?? []), ...(admin.clients ?? []).filter((c) => !(exchange.clients ?? []).some((e) => e.id === c.id))],
    users: [...(exchange.users ?? []), ...(admin.users ?? []).filter((u) => !(exchange.users ?? []).some((e) => e.username === u.username))],
    ...overrides,
  };
}

/** A JWT bearer grant (RFC 7523 §2.1) by `exchanger` with an assertion from the partner about alice. */
export async function partnerBearer(server: TestServer, partner: Idp): Promise<Response> {
  const assertion = await partner.sign({ iss: PARTNER, sub: 'alice', aud: server.url });
  return postToken(server, { grant_type: JWT_BEARER, assertion }, { authorization: EXCHANGER_BASIC });
}
