import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Server-provided DPoP nonces (RFC 9449 §8 at the token endpoint, §9 at resources). Stateless: a nonce names a time
 * slot and carries an HMAC of it, so every node that shares the secret accepts every other node's nonces without a
 * database round trip. The nonce of the current slot and of the one before are accepted, so a nonce lives for one to
 * two `lifetimeSeconds`. §11.2: the server limits how long a pre-computed proof stays usable.
 */
export interface DpopNonces {
  /** The nonce to hand out now (the `DPoP-Nonce` header). */
  current(now: number): string;
  /** Is `nonce` one this server handed out for the current or the previous slot? */
  accepts(nonce: string, now: number): boolean;
}

export function dpopNonces(secret: string | undefined, lifetimeSeconds: number): DpopNonces {
  // Without a configured secret each process draws its own: right for one node (README "DPoP").
  const key = secret === undefined ? randomBytes(32) : Buffer.from(secret, 'utf8');
  const mac = (slot: number) => createHmac('sha256', key).update(`dpop-nonce.${slot}`).digest().subarray(0, 18);
  const make = (slot: number) => `${slot.toString(36)}.${mac(slot).toString('base64url')}`;
  const slotOf = (now: number) => Math.floor(now / lifetimeSeconds);
  return {
    current: (now) => make(slotOf(now)),
    accepts(nonce, now) {
      const m = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{24})$/.exec(nonce);
      if (!m?.[1] || !m[2]) return false;
      const slot = Number.parseInt(m[1], 36);
      const current = slotOf(now);
      if (slot !== current && slot !== current - 1) return false;
      return timingSafeEqual(Buffer.from(m[2], 'base64url'), mac(slot));
    },
  };
}
