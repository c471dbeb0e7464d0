import { jwksProblem } from '../client-auth/metadata.ts';
import { jwksUriProblem } from '../client-auth/jwks-fetch.ts';
import type { NewTrustedIssuer } from './trusted-issuer-port.ts';

/**
 * The rules a trusted issuer satisfies, wherever it comes from (the config file, the admin API, the CLI, the
 * console), each problem under its field's name as the config file spells it.
 */

/** Members only a private (RFC 7518 §6.2.2, §6.3.2; RFC 8037 §2) or symmetric (§6.4.1) JWK has. */
const SECRET_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

export const MAX_ISSUER_LENGTH = 2000;

export function trustedIssuerProblems(t: NewTrustedIssuer, settings: { allowLoopbackHttp: boolean }): Record<string, string> {
  const problems: Record<string, string> = {};
  // RFC 7519 §4.1.1: iss is a case-sensitive StringOrURI, compared exactly; spaces would only ever be a typing slip.
  if (t.issuer === '' || t.issuer.length > MAX_ISSUER_LENGTH || /\s/.test(t.issuer)) problems['issuer'] = `the JWTs' iss exactly: 1 to ${MAX_ISSUER_LENGTH} characters, no spaces`;
  if ((t.jwks === null) === (t.jwksUri === null)) problems['jwks'] = 'give exactly one of jwks and jwksUri';
  if (t.jwksUri !== null) {
    const problem = jwksUriProblem(t.jwksUri, settings.allowLoopbackHttp);
    if (problem) problems['jwksUri'] = problem;
  }
  if (t.jwks !== null) {
    // An issuer's keys are public: a private or shared key pasted by mistake must never be stored.
    const secret = t.jwks.keys.findIndex((k) => typeof k === 'object' && k !== null && SECRET_MEMBERS.some((m) => m in k));
    const problem = secret !== -1 ? `key ${secret} is a private or secret key: give the issuer's public keys only` : jwksProblem(t.jwks);
    if (problem) problems['jwks'] = problem;
  }
  if (t.userClaim === '' || t.userClaim.length > 200) problems['userClaim'] = 'a claim name, 1 to 200 characters';
  return problems;
}
