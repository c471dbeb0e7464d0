import { randomId } from '../../crypto.ts';
import type { SigningAlg } from '../../keys/algorithms.ts';
import type { Keyring } from '../../keys/keyring.ts';

/** Back-Channel Logout 1.0 §2.4: the event member that makes a JWT a logout token. */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** §2.4 "Logout Tokens" recommends a short lifetime: two minutes, enough for a slow receiver, too short to hoard. */
export const LOGOUT_TOKEN_TTL = 120;

export interface LogoutTokenInput {
  issuer: string;
  clientId: string;
  /** The subject as this client knows it (Core §8: public or pairwise). */
  sub: string;
  sid: string;
  now: number;
  alg: SigningAlg;
}

/**
 * A logout token (§2.4): iss, aud, iat, exp, jti, events, and both sub and sid (§2.4 needs one of them; we have both,
 * so backchannel_logout_session_required clients always get sid). A nonce is PROHIBITED, so that a logout token can
 * never pass for an ID token; the header's typ logout+jwt says the same explicitly (RFC 8725 §3.11, §2.4).
 */
export function signLogoutToken(keyring: Pick<Keyring, 'sign'>, input: LogoutTokenInput): Promise<string> {
  const payload = {
    iss: input.issuer,
    sub: input.sub,
    aud: input.clientId,
    iat: input.now,
    exp: input.now + LOGOUT_TOKEN_TTL,
    // §2.4: a unique id, so the RP can refuse a replay (§2.6 step 8 permits it).
    jti: randomId(16),
    events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
    sid: input.sid,
  };
  return keyring.sign(payload, { alg: input.alg, typ: 'logout+jwt' });
}
