import { describe, expect, it } from 'vitest';
import { CliError } from '../../../src/cli/context.ts';
import { renderAnswer, type TokenAnswer } from '../../../src/cli/token/token-output.ts';

/** What `latchkey token` prints: a token only when asked, the summary on a terminal without any. */

const NOW = 1_800_000_000;
const answer: TokenAnswer = {
  response: { access_token: 'at-secret-value', token_type: 'bearer', expires_in: 3600, refresh_token: 'rt-secret-value', id_token: 'h.p.s', scope: 'openid profile' },
  expiresAt: NOW + 600,
  idToken: { header: { alg: 'RS256', kid: 'k1' }, claims: { sub: 'alice', iss: 'https://auth.example', exp: NOW + 600 }, verified: true },
  origin: 'cache',
};

describe('latchkey token output', () => {
  it('shows a person scopes, expiry and the verified ID token claims, but no token, on a terminal', () => {
    const text = renderAnswer(answer, {}, NOW, true);
    expect(text).toContain('Bearer access token (from the cache)');
    expect(text).toContain('scopes:   openid profile');
    expect(text).toContain('expires:  2027-01-15T08:10:00.000Z (in 10 min)');
    expect(text).toContain('ID token: signature verified (RS256, kid k1)');
    expect(text).toContain('sub: "alice"');
    for (const secret of ['at-secret-value', 'rt-secret-value', 'h.p.s']) expect(text).not.toContain(secret);
  });

  it('prints the token response as JSON when stdout is not a terminal, expires_in counted down for a cached token', () => {
    expect(JSON.parse(renderAnswer(answer, {}, NOW, false))).toMatchObject({ access_token: 'at-secret-value', expires_in: 600 });
  });

  it('prints one field with --print and an export line with --export', () => {
    expect(renderAnswer(answer, { print: 'access_token' }, NOW, true)).toBe('at-secret-value\n');
    expect(renderAnswer({ ...answer, response: { ...answer.response, access_token: "it's" } }, { export: true }, NOW, true)).toBe("export ACCESS_TOKEN='it'\\''s'\n");
  });

  it('refuses --print of a field that is not in the response, naming it', () => {
    const noRefresh: TokenAnswer = { ...answer, response: { access_token: 'a', token_type: 'bearer' } };
    expect(() => renderAnswer(noRefresh, { print: 'refresh_token' }, NOW, true)).toThrow(new CliError('--print refresh_token: the token response has no refresh_token', 'not_found'));
    expect(() => renderAnswer(noRefresh, { print: 'password' }, NOW, true)).toThrow(/--print "password": use one of access_token/);
  });
});
