import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as oauth from 'oauth4webapi';
import { CliError } from '../context.ts';
import { clientAuthentication, loadPrivateKey } from './client-auth.ts';
import type { FlowContext } from './flow-context.ts';
import type { ProviderClientOptions } from './option-defs.ts';
import { resolveProvider } from './provider.ts';
import { readClientSecret } from './secret-sources.ts';
import type { StdinLines } from './stdin-lines.ts';

export const scopeOf = (scopes: string[] | undefined): string | undefined => {
  const all = (scopes ?? []).flatMap((s) => s.split(/\s+/)).filter((s) => s !== '');
  return all.length === 0 ? undefined : [...new Set(all)].join(' ');
};

/** The provider, the client and its authentication, built once from the options (secrets read from stdin/file). */
export async function flowContext(opts: ProviderClientOptions, stdin: StdinLines): Promise<FlowContext> {
  if (opts.clientId === undefined || opts.clientId === '') throw new CliError('--client-id: required');
  const secret = await readClientSecret(opts, stdin);
  const { auth } = await clientAuthentication({ method: opts.authMethod, secret, ...(opts.signingKey === undefined ? {} : { signingKey: opts.signingKey }) });
  // The cache answers only the credentials that obtained the token (cache.ts): a wrong or rotated secret is tried;
  // and only the DPoP key it is bound to (RFC 9449 §6): a bound token is no use without its key, nor a bearer one with.
  const hash = createHash('sha256').update(secret ?? (opts.signingKey === undefined ? '' : readFileSync(opts.signingKey)));
  if (opts.dpopKey !== undefined) hash.update('\ndpop\n').update(readFileSync(opts.dpopKey));
  const credential = hash.digest('base64url');
  const provider = await resolveProvider(opts);
  const client: oauth.Client = { client_id: opts.clientId };
  let dpop: oauth.DPoPHandle | undefined;
  if (opts.dpopKey !== undefined) {
    const key = await loadPrivateKey('--dpop-key', opts.dpopKey);
    dpop = oauth.DPoP(client, { privateKey: key.privateKey, publicKey: key.publicKey });
  }
  return {
    provider,
    client,
    auth,
    credential,
    dpop,
    scope: scopeOf(opts.scope),
    stdin,
    note: (message) => process.stderr.write(`latchkey: ${message}\n`),
  };
}
