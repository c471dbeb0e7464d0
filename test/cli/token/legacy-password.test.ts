import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEGACY_PASSWORD, LEGACY_SECRET, startLegacyProvider } from './legacy-password-fixture.ts';
import { freshConfigHome, runLatchkey } from './run-token.ts';

/** The password grant (RFC 6749 §4.3), only by name, against a legacy provider without metadata. */

let legacy: { url: string; close(): Promise<void> };
beforeAll(async () => {
  legacy = await startLegacyProvider();
});
afterAll(async () => {
  await legacy?.close();
});

const args = () => ['token', '--token-endpoint', `${legacy.url}/oauth/token`, '--client-id', 'legacy-app', '--client-secret-stdin', '--grant', 'password', '--username', 'alice'];
const env = () => ({ XDG_CONFIG_HOME: freshConfigHome() });

describe('latchkey token --grant password against a legacy provider', () => {
  it('reads the secret, then the password, from standard input, and gets a token (RFC 6749 §4.3.2)', async () => {
    const run = await runLatchkey([...args(), '--password-stdin', '--json'], { input: `${LEGACY_SECRET}\n${LEGACY_PASSWORD}\n`, env: env() });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ token_type: 'bearer', scope: 'read' });
    expect(run.stdout).not.toContain(LEGACY_PASSWORD);
  });

  it('refuses a wrong password with invalid_grant in one line that does not repeat it (RFC 6749 §5.2)', async () => {
    const run = await runLatchkey([...args(), '--password-stdin'], { input: `${LEGACY_SECRET}\nnot-her-password\n`, env: env() });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^latchkey: the token endpoint refused: invalid_grant[^\n]*\(HTTP 400\)\n$/);
    expect(run.stderr).not.toContain('not-her-password');
  });

  it('asks for --password-stdin rather than taking a password from argv', async () => {
    const missing = await runLatchkey(args(), { input: `${LEGACY_SECRET}\n`, env: env() });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('latchkey: --grant password: give the password with --password-stdin\n');
    const inArgv = await runLatchkey([...args(), '--password', LEGACY_PASSWORD], { input: `${LEGACY_SECRET}\n`, env: env() });
    expect(inArgv.code).toBe(1);
    expect(inArgv.stderr).toBe('latchkey: --password: secrets are not accepted on the command line (other users see it in ps); use --password-stdin\n');
  });
});
