import type { Command } from 'commander';
import { collect } from '../context.ts';
import { GRANTS, withProviderClientOptions, withScopeOption } from './option-defs.ts';

/**
 * `latchkey token …` and `latchkey admin login|logout`: the command lines only. What they run (oauth4webapi, jose, the
 * QR code) is imported when one of them runs, so the other `latchkey` commands start no slower (docs/cli.md).
 */

export function registerToken(program: Command): void {
  const token = withScopeOption(withProviderClientOptions(program.command('token')))
    .description('get an access token from an OAuth 2 / OpenID Connect provider (Latchkey or any other)')
    .option('--grant <grant>', `${GRANTS.join(', ')} (default: authorization_code)`)
    .option('--redirect-uri <uri>', 'fixed redirect URI (default: a listener on http://127.0.0.1:<free port>/callback)')
    .option('--no-browser', 'do not open a browser: print the address, and accept the redirect address pasted on stdin')
    .option('--refresh-token-stdin', 'refresh_token grant: read the refresh token from standard input')
    .option('--username <name>', 'password grant: the resource owner')
    .option('--password-stdin', 'password grant: read the password from standard input')
    .option('--par', 'push the authorization request first (RFC 9126)')
    .option('--resource <uri>', 'the API the token is for (RFC 8707; repeatable: the authorization covers each, the token is for the first)', collect)
    .option('--dpop-key <file>', 'private key (JWK or PEM) to bind the token to with DPoP (RFC 9449)')
    .option('--no-qr', 'device grant: no QR code')
    .option('--print <field>', 'print only this field of the token response (access_token, id_token, refresh_token, ...)')
    .option('--export', 'print an `export ACCESS_TOKEN=...` line for the shell')
    .option('--fresh', 'ignore the cached token: run the grant again')
    .option('--no-cache', 'neither read nor write the token cache')
    .option('--timeout <seconds>', 'how long to wait for the browser', (v) => Number(v), 300)
    .action(async (opts: import('./command.ts').TokenOptions) => (await import('./command.ts')).runToken(opts));

  // The subcommands' options merged with `token`'s: commander gives `--issuer` and the other options `token` declares
  // too to `token` itself, wherever they stand on the line.
  type Tools = typeof import('./tools.ts');
  const tool = (name: string, description: string, run: (tools: Tools) => Tools['inspectToken'], tokenSource = true) => {
    const cmd = withProviderClientOptions(token.command(name)).description(description);
    if (tokenSource) {
      cmd
        .option('--token-stdin', 'read the token from standard input (after the client secret, if that is piped too)')
        .option('--which <token>', 'without --token-stdin, which cached token: access_token, refresh_token or id_token', 'access_token');
    }
    return cmd.action(async (_opts: unknown, self: Command) => run(await import('./tools.ts'))(self.optsWithGlobals()));
  };
  tool('inspect', 'decode a JWT (ID or access token) and verify it against the provider keys', (t) => t.inspectToken).option('--audience <aud>', 'also require this audience');
  tool('introspect', 'ask the provider whether a token is active, and what it carries (RFC 7662)', (t) => t.introspectToken);
  tool('revoke', 'revoke a token at the provider (RFC 7009)', (t) => t.revokeToken);
  tool('logout', 'revoke the cached tokens of this issuer and client, and forget them', (t) => t.logoutToken, false);
}

export function registerAdmin(program: Command): void {
  const admin = program.command('admin').description('sign in to a Latchkey server to manage it over its admin API');
  admin
    .command('login')
    .description('sign in as an administrator (browser or device code), keeping the admin token for --server commands')
    .requiredOption('--server <url>', "the Latchkey server's issuer URL")
    .option('--device', 'sign in with a code typed on /device from any other device (RFC 8628); the default when no browser can be opened')
    .option('--no-browser', 'print the address instead of opening a browser; the redirect address may be pasted')
    .option('--no-qr', 'device flow: no QR code')
    .option('--timeout <seconds>', 'how long to wait for the browser', (v) => Number(v), 300)
    .action(async (opts: import('./admin-session.ts').AdminLoginOptions) => (await import('./admin-session.ts')).adminLogin(opts));
  admin
    .command('logout')
    .description('revoke and forget the admin token of a server')
    .requiredOption('--server <url>', "the Latchkey server's issuer URL")
    .action(async (opts: { server: string }) => (await import('./admin-session.ts')).adminLogout(opts));
}
