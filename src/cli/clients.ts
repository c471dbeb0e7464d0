import type { Command } from 'commander';
import { MAX_SECRET_GRACE_SECONDS } from '../admin/schemas.ts';
import { recordAction } from '../admin/context.ts';
import { clientFromConfig } from '../bootstrap.ts';
import { isoTime } from '../core/clock.ts';
import { clientSchema } from '../config/client-schema.ts';
import { randomId, randomToken } from '../core/crypto.ts';
import { GRANT_TYPES, RESPONSE_TYPES, type Client } from '../core/model.ts';
import type { ClientPatch } from '../core/repositories.ts';
import { checkConsistency, checkOidc, type ClientOptions, clientView, describeClient, flagFor, parseClientFields } from './client-fields.ts';
import { checkAuth, cliStoredSecret, kekFor, parseAuthOptions, updatedAuthFields } from './client-auth-fields.ts';
import { assertionAuthOf } from '../core/client-auth/metadata.ts';
import { checkTokenExchange, parseTokenExchange, tokenExchangeOptions } from './token-exchange-fields.ts';
import { asOperator } from './admin-context.ts';
import { type CliContext, CliError, checked, type CommonOptions, collect, output, table, withCommonOptions, withStorage } from './context.ts';
import { adminApiList, type RemoteClient, type ServerOption, withServerOption } from './remote.ts';

/** `latchkey clients create|list|show|update|delete|rotate-secret`. */

export function registerClients(program: Command): void {
  const clients = program.command('clients').description('manage applications (OAuth clients)');

  clientOptions(withCommonOptions(clients.command('create').description('register an application; prints a generated secret once')))
    .requiredOption('--name <name>', 'name shown on the consent page')
    .option('--id <id>', 'client_id (default: generated)')
    .option('--secret <secret>', 'client secret, at least 16 characters (default: generated and printed once)')
    .option('--public', 'a public client (no secret; browser or native app; PKCE always required)')
    .option('--auth-method <method>', 'private_key_jwt: no secret, the client signs assertions with a key of --jwks or --jwks-uri (RFC 7523); client_secret_jwt: a secret kept encrypted, for HS256 assertions only')
    .action((opts: ClientOptions) => withStorage(opts, (ctx) => createClient(ctx, opts)));

  const header = ['CLIENT_ID', 'NAME', 'TYPE', 'GRANT TYPES'];
  withServerOption(withCommonOptions(clients.command('list').description('list the applications'))).action(async (opts: CommonOptions & ServerOption) => {
    if (opts.server !== undefined) {
      // Over the admin API of a remote Latchkey (`latchkey admin login` first); --json prints the API's objects.
      const all = await adminApiList<RemoteClient>(opts.server, '/applications');
      output(opts.json === true).result(all, () => table(header, all.map((c) => [c.id, c.name, c.type, c.grantTypes.join(',')]), 'no clients'));
      return;
    }
    await withStorage(opts, async ({ repos, out }) => {
      const all = await repos.clients.list();
      out.result(
        all.map(clientView),
        () => table(header, all.map((c) => [c.id, c.name, c.type, c.grantTypes.join(',')]), 'no clients'),
      );
    });
  });

  withCommonOptions(clients.command('show').description('show one application (never its secret)').argument('<client-id>')).action(
    (id: string, opts: CommonOptions) =>
      withStorage(opts, async ({ repos, out, config }) => {
        const client = await findClient(repos, id);
        out.result(clientView(client), () => describeClient(client, config));
      }),
  );

  clientOptions(withCommonOptions(clients.command('update').description('change an application; list options replace the stored list').argument('<client-id>')))
    .option('--name <name>', 'name shown on the consent page')
    .option('--secret <secret>', 'set this secret (see also rotate-secret)')
    .option('--public', 'make it a public client (drops its secret)')
    .option('--confidential', 'make it a confidential client (prints a generated secret unless --secret is given)')
    .action((id: string, opts: ClientOptions) => withStorage(opts, (ctx) => updateClient(ctx, id, opts)));

  withCommonOptions(clients.command('delete').description('delete an application and revoke its tokens').argument('<client-id>')).action(
    (id: string, opts: CommonOptions) =>
      withStorage(opts, async ({ repos, out, now, config }) => {
        const revoked = await repos.clients.delete(id, now);
        if (revoked === undefined) throw new CliError(`client "${id}" not found`, 'not_found');
        if (config.clients.some((c) => c.id === id)) out.note(`client "${id}" is declared in the config file: \`latchkey start\` will create it again`);
        out.result({ deleted: id, revokedTokens: revoked }, `Deleted client "${id}" (revoked ${revoked} active token${revoked === 1 ? '' : 's'})`);
      }),
  );

  withCommonOptions(clients.command('rotate-secret').description('replace the secret; prints the new one once').argument('<client-id>'))
    .option('--secret <secret>', 'use this secret instead of a generated one')
    .option('--grace <seconds>', `keep the old secret working this many seconds (at most ${MAX_SECRET_GRACE_SECONDS}, 7 days) while the new one is rolled out; default 0`)
    .action((id: string, opts: ClientOptions & { grace?: string }) =>
      withStorage(opts, async (ctx) => {
        const { repos, out, now, config } = ctx;
        const grace = graceSeconds(opts.grace);
        const client = await findClient(repos, id);
        if (client.type === 'public' || client.secretHash === null) throw new CliError(`client "${id}" is public and has no secret`);
        const secret = opts.secret === undefined ? randomToken('clientSecret') : checked('--secret', clientSchema.shape.secret, opts.secret);
        // As the admin API's rotation (admin/applications.ts): only the secret just replaced keeps a grace.
        const previousSecret = grace > 0 ? { hash: client.secretHash, expiresAt: now + grace } : null;
        // client_secret_jwt: the HMAC key changes at once; the grace keeps only the old hash (for Basic and POST).
        await repos.clients.update(id, { ...cliStoredSecret(config, secret, client), previousSecret }, now);
        const until = previousSecret === null ? null : isoTime(previousSecret.expiresAt);
        // The same audit event as the console's and the API's rotation, the operator at the machine as the actor.
        await asOperator(ctx, async (admin) => recordAction(admin, { type: 'client.secret_rotated', clientId: id, details: { graceSeconds: grace, previousSecretExpiresAt: until } }));
        if (config.clients.some((c) => c.id === id)) out.note(`client "${id}" is declared in the config file: \`latchkey start\` will restore the secret written there`);
        const shown = opts.secret === undefined ? secret : undefined;
        const old = until === null ? 'the old one no longer works' : `the old one works until ${until}`;
        out.result({ id, ...(shown === undefined ? {} : { clientSecret: shown }), previousSecretExpiresAt: until }, () =>
          shown === undefined
            ? `Replaced the secret of client "${id}"; ${old}.`
            : `New secret for client "${id}" (shown only this once; ${old}):\n  client_secret: ${shown}`,
        );
      }),
    );
}

/** --grace: whole seconds from 0 to 7 days, as the admin API's graceSeconds. */
function graceSeconds(value: string | undefined): number {
  if (value === undefined) return 0;
  const n = /^[0-9]{1,7}$/.test(value) ? Number(value) : NaN;
  if (!(n <= MAX_SECRET_GRACE_SECONDS)) throw new CliError(`--grace "${value}": must be a whole number of seconds from 0 to ${MAX_SECRET_GRACE_SECONDS} (7 days)`);
  return n;
}

/** The options `create` and `update` share. */
function clientOptions(cmd: Command): Command {
  return tokenExchangeOptions(cmd)
    .option('--redirect-uri <uri>', 'redirect URI, exact match (repeatable; https, or http on loopback)', collect)
    .option('--grant-type <type>', `grant type (repeatable): ${GRANT_TYPES.join(', ')}`, collect)
    .option('--response-type <type>', `response type (repeatable): ${RESPONSE_TYPES.join(', ')}`, collect)
    .option('--scope <scope>', 'scope the client may request (repeatable; none means any known scope)', collect)
    .option('--access-token-ttl <seconds|never>', 'access token lifetime; default: the server setting (update: default resets)')
    .option('--refresh-token-ttl <seconds|never>', 'refresh token lifetime; default: the server setting')
    .option('--code-ttl <seconds>', 'authorization code lifetime; default: the server setting')
    .option('--require-pkce', 'require PKCE even though the client is confidential')
    .option('--no-require-pkce', 'let this confidential client skip PKCE')
    .option('--introspect-any', 'a resource server: may introspect tokens issued to any client')
    .option('--no-introspect-any', 'may introspect only its own tokens')
    .option('--require-par', 'accept only pushed authorization requests from this client (RFC 9126)')
    .option('--no-require-par', 'accept plain authorization requests too, whatever the server setting')
    .option('--require-signed-request-object', 'accept only signed request objects from this client (RFC 9101)')
    .option('--no-require-signed-request-object', 'accept unsigned authorization requests too, whatever the server setting')
    .option('--dpop', 'require DPoP proofs at the token endpoint: every token is key-bound (RFC 9449 §5.2)')
    .option('--no-dpop', 'DPoP optional (the default)')
    .option('--id-token-alg <alg>', 'ID token signing algorithm: RS256, ES256 or EdDSA; default: the server setting')
    .option('--userinfo-alg <alg>', 'sign UserInfo answers (application/jwt) with RS256, ES256 or EdDSA; none: plain JSON')
    .option('--subject-type <type>', 'public (default) or pairwise: a sub per redirect URI host (OpenID Connect Core §8)')
    .option('--default-max-age <seconds>', 'max_age for requests that send none (update: default resets)')
    .option('--require-auth-time', 'registered require_auth_time (auth_time is always in the ID token)')
    .option('--no-require-auth-time', 'clear require_auth_time')
    .option('--post-logout-redirect-uri <uri>', 'where RP-initiated logout may return (repeatable; https, or http on loopback)', collect)
    .option('--backchannel-logout-uri <uri>', 'back-channel logout receiver (https); none removes it')
    .option('--jwks <json|@file>', 'private_key_jwt: the public keys, a JWK Set; none removes them')
    .option('--jwks-uri <url>', 'private_key_jwt: https URL of the public keys; none removes it')
    .option('--auth-signing-alg <alg>', 'private_key_jwt: the one algorithm of its assertions (e.g. ES256); default: any asymmetric')

    .option('--backchannel-logout-session-required', 'registered backchannel_logout_session_required (sid is always sent)')
    .option('--no-backchannel-logout-session-required', 'clear backchannel_logout_session_required');
}

async function createClient({ repos, out, now, config }: CliContext, opts: ClientOptions): Promise<void> {
  if (opts.public && opts.secret !== undefined) throw new CliError('--secret: a public client has no secret; drop --public or --secret');
  const fields = parseClientFields(opts, config.issuer);
  const tokenExchange = parseTokenExchange(opts, undefined);
  const id = opts.id ?? randomId();
  if (!/^[\x21-\x7E]+$/.test(id) || id.length > 200) {
    throw new CliError(`--id "${id}": use 1 to 200 printable ASCII characters without spaces (RFC 6749 Appendix A.1)`);
  }
  if (await repos.clients.findById(id)) throw new CliError(`client "${id}" already exists`, 'conflict');
  const type = opts.public ? 'public' : 'confidential';
  const auth = parseAuthOptions(opts);
  checkAuth({ type, hasSecret: opts.secret !== undefined, ...auth }, config);
  // A private_key_jwt client proves itself with its keys (RFC 7523 §2.2): it gets no secret.
  const withKeys = auth.method === 'private_key_jwt';
  const generated = type === 'confidential' && opts.secret === undefined && !withKeys ? randomToken('clientSecret') : undefined;
  const parsed = clientSchema.safeParse({
    id,
    name: fields.name,
    secret: opts.secret ?? generated,
    type,
    redirectUris: fields.redirectUris,
    grantTypes: fields.grantTypes,
    // Absent: `code` with the authorization_code grant, else none (clientFromConfig).
    responseTypes: fields.responseTypes,
    scopes: fields.scopes,
    accessTokenTtl: fields.accessTokenTtl ?? undefined,
    refreshTokenTtl: fields.refreshTokenTtl ?? undefined,
    codeTtl: fields.codeTtl ?? undefined,
    requirePkce: fields.requirePkce ?? undefined,
    introspectAny: fields.introspectAny ?? undefined,
    requirePushedAuthorizationRequests: fields.requirePushedAuthorizationRequests ?? undefined,
    requireSignedRequestObject: fields.requireSignedRequestObject ?? undefined,
    dpopBoundAccessTokens: fields.dpopBoundAccessTokens ?? undefined,
    tokenExchange: tokenExchange ?? undefined,
    idTokenSignedResponseAlg: fields.oidc?.idTokenSignedResponseAlg ?? undefined,
    userinfoSignedResponseAlg: fields.oidc?.userinfoSignedResponseAlg ?? undefined,
    subjectType: fields.oidc?.subjectType,
    defaultMaxAge: fields.oidc?.defaultMaxAge ?? undefined,
    requireAuthTime: fields.oidc?.requireAuthTime,
    postLogoutRedirectUris: fields.oidc?.postLogoutRedirectUris,
    backchannelLogoutUri: fields.oidc?.backchannelLogoutUri ?? undefined,
    tokenEndpointAuthMethod: auth.method,
    tokenEndpointAuthSigningAlg: auth.signingAlg ?? undefined,
    jwks: auth.jwks ?? undefined,
    jwksUri: auth.jwksUri ?? undefined,
    backchannelLogoutSessionRequired: fields.oidc?.backchannelLogoutSessionRequired,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CliError(`${flagFor(String(issue?.path[0] ?? ''))}: ${issue?.message ?? 'invalid'}`);
  }
  const stored = clientFromConfig(parsed.data, kekFor(config, parsed.data.tokenEndpointAuthMethod));
  checkConsistency(stored);
  checkOidc(stored, config);
  await checkTokenExchange(stored, repos);
  await noteConcerns(stored, { repos, out, config });
  let client: Client;
  try {
    client = await repos.clients.create(stored, now);
  } catch (err) {
    // Lost a race with another `create` of the same id.
    if (/unique|constraint/i.test((err as Error).message)) throw new CliError(`client "${id}" already exists`, 'conflict');
    throw err;
  }
  const view = clientView(client);
  out.result(generated === undefined ? view : { ...view, clientSecret: generated }, () => {
    const lines = [`Created ${client.type} client "${client.name}"`, `  client_id:     ${client.id}`];
    if (generated !== undefined) {
      const kept = client.tokenEndpointAuthMethod === 'client_secret_jwt' ? 'Latchkey keeps its hash, and the secret encrypted under the key-encryption key to verify HMAC assertions' : 'Latchkey keeps only its SHA-256 hash';
      lines.push(`  client_secret: ${generated}`, '', `Store the secret now: it is shown only this once (${kept}).`);
    }
    return lines.join('\n');
  });
}

async function updateClient({ repos, out, now, config }: CliContext, id: string, opts: ClientOptions): Promise<void> {
  const current = await findClient(repos, id);
  if (opts.public && opts.confidential) throw new CliError('--public and --confidential: choose one');
  const fields = parseClientFields(opts, config.issuer);
  const patch: ClientPatch = { ...fields };
  if (fields.oidc) patch.oidc = { ...current.oidc, ...fields.oidc };
  // As on create, response_type=code follows the authorization_code grant unless response types are given too.
  if (fields.grantTypes && !fields.responseTypes) {
    const withCode = fields.grantTypes.includes('authorization_code');
    if (!withCode && current.responseTypes.includes('code')) patch.responseTypes = current.responseTypes.filter((r) => r !== 'code');
    if (withCode && current.responseTypes.length === 0) patch.responseTypes = ['code'];
  }
  const type = opts.public ? 'public' : opts.confidential ? 'confidential' : current.type;
  let generated: string | undefined;
  if (type === 'public') {
    if (opts.secret !== undefined) throw new CliError(`--secret: client "${id}" is public and has no secret; add --confidential to change that`);
    if (current.type !== 'public') Object.assign(patch, { type, secretHash: null });
  } else if (opts.secret !== undefined) {
    Object.assign(patch, { type, ...cliStoredSecret(config, checked('--secret', clientSchema.shape.secret, opts.secret), current) });
  } else if (current.type === 'public') {
    generated = randomToken('clientSecret');
    Object.assign(patch, { type, ...cliStoredSecret(config, generated, current) });
  }
  const auth = parseAuthOptions(opts);
  if (auth.method !== undefined) throw new CliError('--auth-method: chosen at creation; create a new client to change it');
  if (Object.keys(auth).length > 0) patch.assertionAuth = assertionAuthOf(updatedAuthFields(current, auth, { ...current, ...patch }));
  const tokenExchange = parseTokenExchange(opts, current.tokenExchange);
  if (tokenExchange !== undefined) patch.tokenExchange = tokenExchange;
  if (Object.keys(patch).length === 0) throw new CliError('nothing to update: pass at least one option (see `latchkey clients update --help`)');
  const next: Client = { ...current, ...patch };
  checkAuth(updatedAuthFields(current, auth, next), config);
  checkConsistency(next);
  checkOidc(next, config);
  await checkTokenExchange(next, repos, patch.tokenExchange !== undefined);
  await noteConcerns(next, { repos, out, config });
  const updated = await repos.clients.update(id, patch, now);
  if (!updated) throw new CliError(`client "${id}" not found`, 'not_found');
  if (config.clients.some((c) => c.id === id)) out.note(`client "${id}" is declared in the config file: \`latchkey start\` will restore what is written there`);
  const view = clientView(updated);
  out.result(generated === undefined ? view : { ...view, clientSecret: generated }, () => {
    const text = describeClient(updated, config);
    return generated === undefined ? `Updated.\n${text}` : `Updated.\n${text}\n\nNew client_secret (shown only this once): ${generated}`;
  });
}

/** Things that work but that the person most likely did not mean. */
async function noteConcerns(c: Client | Omit<Client, 'createdAt' | 'updatedAt'>, { repos, out, config }: Pick<CliContext, 'repos' | 'out' | 'config'>) {
  if (c.responseTypes.length > 0 && c.redirectUris.length === 0) out.note('the client has no redirect URI, so it cannot use the authorization endpoint: add --redirect-uri');
  const frontChannel = c.responseTypes.filter((rt) => rt !== 'code');
  if (frontChannel.length > 0 && !config.features.implicit) out.note(`response type ${frontChannel.join(', ')} needs features.implicit, which is off on this server`);
  if (c.scopes.length > 0) {
    const known = new Set([...(await repos.scopes.list()).map((s) => s.name), ...config.scopes.map((s) => s.name)]);
    const unknown = c.scopes.filter((s) => !known.has(s));
    const many = unknown.length > 1;
    if (unknown.length > 0) {
      out.note(`scope${many ? 's' : ''} ${unknown.map((s) => `"${s}"`).join(', ')} ${many ? 'are' : 'is'} not defined yet: add ${many ? 'them' : 'it'} with \`latchkey scopes create\``);
    }
  }
}

async function findClient(repos: CliContext['repos'], id: string): Promise<Client> {
  const client = await repos.clients.findById(id);
  if (!client) throw new CliError(`client "${id}" not found`, 'not_found');
  return client;
}

