import * as oauth from 'oauth4webapi';
import { CliError } from '../context.ts';

/**
 * oauth4webapi's errors, and fetch's, as one line for a person: what was refused, by whom, with the provider's error
 * code (RFC 6749 §5.2) and description. Nothing here echoes a token, code or secret: only error codes, descriptions
 * chosen by the provider, and URLs of endpoints.
 */
export async function describeOAuthFailure(err: unknown, what: string): Promise<CliError> {
  if (err instanceof CliError) return err;
  if (err instanceof oauth.ResponseBodyError) {
    const description = err.error_description ? `: ${err.error_description}` : '';
    return new CliError(`${what} refused: ${err.error}${description} (HTTP ${err.status})`, 'oauth_error');
  }
  if (err instanceof oauth.WWWAuthenticateChallengeError) {
    // A 401 with `WWW-Authenticate: Basic realm=…` (RFC 6749 §5.2 for invalid_client) carries its error code in the
    // JSON body, not in the challenge: prefer the body's.
    const challenge = err.cause[0];
    const body = await errorBody(err.response);
    const code = body?.error ?? challenge?.parameters.error ?? 'unauthorized';
    const text = body?.error_description ?? challenge?.parameters.error_description;
    return new CliError(`${what} refused: ${code}${text ? `: ${text}` : ''} (HTTP ${err.status})`, 'oauth_error');
  }
  if (err instanceof oauth.AuthorizationResponseError) {
    // RFC 6749 §4.1.2.1: the error came back on the redirect (access_denied when the person said no).
    const description = err.error_description ? `: ${err.error_description}` : '';
    return new CliError(`the authorization server refused: ${err.error}${description}`, 'oauth_error');
  }
  if (err instanceof oauth.OperationProcessingError || err instanceof oauth.UnsupportedOperationError) {
    return new CliError(`${what}: ${err.message}`, 'invalid_response');
  }
  const unreachable = unreachableReason(err);
  if (unreachable !== undefined) return new CliError(`${what}: ${unreachable}`, 'unreachable');
  return new CliError(`${what}: ${err instanceof Error ? err.message : String(err)}`, 'invalid_response');
}

async function errorBody(response: Response): Promise<{ error: string; error_description?: string } | undefined> {
  try {
    const body = (await response.clone().json()) as { error?: unknown; error_description?: unknown };
    if (typeof body.error !== 'string') return undefined;
    return typeof body.error_description === 'string' ? { error: body.error, error_description: body.error_description } : { error: body.error };
  } catch {
    return undefined;
  }
}

const NETWORK_CODES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found (DNS lookup failed)',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'timed out',
};

/** fetch() rejects with TypeError('fetch failed') and the socket's error as its cause. */
export function unreachableReason(err: unknown): string | undefined {
  if (!(err instanceof TypeError) || err.message !== 'fetch failed') return undefined;
  let cause: unknown = err.cause;
  let message: string | undefined;
  while (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code !== undefined) return `cannot reach it: ${NETWORK_CODES[code] ?? code}`;
    // undici's own refusals carry no code, only a message ("bad port").
    message ??= cause.message;
    cause = cause.cause;
  }
  return message === undefined || message === '' ? 'cannot reach it' : `cannot reach it: ${message}`;
}

/** Runs one request and translates its failure. */
export async function attempt<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw await describeOAuthFailure(err, what);
  }
}
