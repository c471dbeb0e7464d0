/**
 * The JWS algorithms a private_key_jwt assertion may be signed with (RFC 7523 §3 item 9: the server decides): the
 * asymmetric ones of RFC 7518 §3.1 and RFC 8037 (EdDSA; Ed25519 as RFC 9864 names it). Never `none`, never HS*: an
 * HMAC "verified" with a public key as its secret would let anyone who knows the public key sign (the classic
 * algorithm-confusion attack); jose refuses that pairing too, this list makes it impossible to configure.
 */
export const ASSERTION_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'] as const;
export type AssertionAlg = (typeof ASSERTION_ALGS)[number];

export const isAssertionAlg = (value: string): value is AssertionAlg => (ASSERTION_ALGS as readonly string[]).includes(value);

/**
 * The algorithms of a client_secret_jwt assertion (RFC 7518 §3.2, OpenID Connect Core §9): HMAC keyed by the client
 * secret. Accepted only from a client registered for client_secret_jwt, never from a private_key_jwt one.
 */
export const HMAC_ASSERTION_ALGS = ['HS256', 'HS384', 'HS512'] as const;
export type HmacAssertionAlg = (typeof HMAC_ASSERTION_ALGS)[number];

export const isHmacAssertionAlg = (value: unknown): value is HmacAssertionAlg => typeof value === 'string' && (HMAC_ASSERTION_ALGS as readonly string[]).includes(value);

/** RFC 7523 §2.2: the client_assertion_type of a JWT client assertion. */
export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
