import { type Command, Option } from 'commander';
import { collect } from '../context.ts';
import type { EndpointOptions } from './provider.ts';
import { SECRET_ARGV_OPTIONS, type SecretOptions } from './secret-sources.ts';

/** The grants `latchkey token --grant` runs; `device` is RFC 8628's device_code grant. */
export const GRANTS = ['authorization_code', 'client_credentials', 'refresh_token', 'device', 'password'] as const;

/** The options that name the provider and the client, shared by `latchkey token` and its subcommands. */
export interface ProviderClientOptions extends EndpointOptions, SecretOptions {
  clientId?: string;
  authMethod?: string;
  signingKey?: string;
  dpopKey?: string;
  scope?: string[];
  json?: boolean;
}

export function withProviderClientOptions(cmd: Command): Command {
  cmd
    .option('--issuer <url>', 'the provider: metadata from RFC 8414, else OpenID Connect Discovery')
    .option('--client-id <id>', 'the client (application) id')
    .option('--client-secret-stdin', 'read the client secret from the first line of standard input')
    .option('--client-secret-file <file>', 'read the client secret from the first line of a file')
    .option('--auth-method <method>', 'client_secret_basic, client_secret_post, private_key_jwt or none (default: from what is given)')
    .option('--signing-key <file>', 'private key (JWK or PEM) for private_key_jwt client assertions (RFC 7523)')
    .option('--authorization-endpoint <url>', 'for a provider without metadata (or to override it)')
    .option('--token-endpoint <url>', 'for a provider without metadata: no discovery is attempted')
    .option('--device-authorization-endpoint <url>', 'RFC 8628 endpoint, when not in the metadata')
    .option('--revocation-endpoint <url>', 'RFC 7009 endpoint, when not in the metadata')
    .option('--introspection-endpoint <url>', 'RFC 7662 endpoint, when not in the metadata')
    .option('--jwks-uri <url>', 'the provider keys, when not in the metadata')
    .option('--json', 'print JSON (the default when standard output is not a terminal)');
  // Declared only to be refused with a clear message (secret-sources.ts): a secret in argv is visible in `ps`.
  for (const name of SECRET_ARGV_OPTIONS) cmd.addOption(new Option(`--${name} <value>`).hideHelp());
  return cmd;
}

export function withScopeOption(cmd: Command): Command {
  return cmd.option('--scope <scope>', 'scope to ask for (repeatable, or space-separated)', collect);
}
