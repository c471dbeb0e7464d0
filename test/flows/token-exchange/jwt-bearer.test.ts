import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectJsonError, postToken, WEB_APP_BASIC } from '../../support/flow-helpers.ts';
import { startServer, type TestServer } from '../../support/server.ts';
import { apiRequest, discover, JWT_API, jwtParts } from '../resources/fixtures.ts';
import { EXCHANGER_BASIC, exchangeConfig, exchanger, exchangerAuth, idp, insecure, JWT_BEARER, UNTRUSTED, type Idp } from './fixtures.ts';

/** The JWT bearer grant (RFC 7523 §2.1, §3) over real HTTP, with oauth4webapi's generic grant request. */

let server: TestServer;
let as: oauth.AuthorizationServer;
let trusted: Idp;

const bearerRaw = (assertion: string, extra: Record<string, string> = {}, authorization = EXCHANGER_BASIC) =>
  postToken(server, { grant_type: JWT_BEARER, assertion, ...extra }, { authorization });

beforeAll(async () => {
  trusted = await idp();
  server = await startServer(exchangeConfig(trusted));
  as = await discover(server.url);
});

afterAll(async () => {
  await server?.close();
});

describe('JWT bearer grant (RFC 7523 §2.1)', () => {
  it('trades a trusted issuer\'s assertion about alice for an access token for her, with no refresh token', async () => {
    const assertion = await trusted.sign({ sub: 'alice', aud: server.url, client_id: 'exchanger' });
    const res = await oauth.genericTokenEndpointRequest(as, exchanger, exchangerAuth, JWT_BEARER, { assertion, resource: JWT_API, scope: 'notes.read' }, insecure);
    const tokens = await oauth.processGenericTokenEndpointResponse(as, exchanger, res);
    expect(tokens).toMatchObject({ token_type: 'bearer', scope: 'notes.read' });
    expect(tokens.refresh_token).toBeUndefined();
    const claims = await oauth.validateJwtAccessToken(as, apiRequest(tokens.access_token), JWT_API, insecure);
    expect(claims).toMatchObject({ client_id: 'exchanger', aud: JWT_API, scope: 'notes.read' });
    // sub is alice's Latchkey id, not the issuer's name for her.
    expect(claims.sub).not.toBe('alice');
    expect(jwtParts(tokens.access_token).payload['sub']).toBe(claims.sub);
  });

  it('accepts the token endpoint URL as the audience (§3 item 3)', async () => {
    const res = await bearerRaw(await trusted.sign({ sub: 'alice', aud: `${server.url}/oauth2/token` }));
    expect(res.status).toBe(200);
  });

  it('refuses a replayed assertion with invalid_grant (§3 item 7: jti single-use)', async () => {
    const assertion = await trusted.sign({ sub: 'alice', aud: server.url });
    expect((await bearerRaw(assertion)).status).toBe(200);
    await expectJsonError(await bearerRaw(assertion), 400, 'invalid_grant');
  });

  it('refuses an assertion for another audience with invalid_grant (§3 item 3, §3.1)', async () => {
    await expectJsonError(await bearerRaw(await trusted.sign({ sub: 'alice', aud: 'https://other-as.example' })), 400, 'invalid_grant');
  });

  it('refuses an untrusted issuer, a wrong key, an unknown user, a missing jti and another client\'s assertion with invalid_grant (§3.1)', async () => {
    const cases = [
      await trusted.sign({ sub: 'alice', aud: server.url, iss: UNTRUSTED }),
      await trusted.sign({ sub: 'alice', aud: server.url }, { untrustedKey: true }),
      await trusted.sign({ sub: 'nobody', aud: server.url }),
      await trusted.sign({ sub: 'alice', aud: server.url }, { noJti: true }),
      await trusted.sign({ sub: 'alice', aud: server.url, client_id: 'web-app' }),
    ];
    for (const assertion of cases) await expectJsonError(await bearerRaw(assertion), 400, 'invalid_grant');
  });

  it('refuses a client not registered for the grant with unauthorized_client (RFC 6749 §5.2)', async () => {
    await expectJsonError(await bearerRaw(await trusted.sign({ sub: 'alice', aud: server.url }), {}, WEB_APP_BASIC), 400, 'unauthorized_client');
  });
});
