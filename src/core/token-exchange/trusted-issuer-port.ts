/**
 * Another issuer whose JWTs Latchkey accepts: as subject or actor tokens of a token exchange (RFC 8693 §2.1, type
 * `jwt`) and as JWT bearer assertions (RFC 7523 §2.1). Stored (migration 026), so every node agrees and the admin
 * API, the CLI and the console can edit it; the config file's `tokenExchange.trustedIssuers` are written into the
 * store at each start. Its keys are public: inline (`jwks`) or fetched (`jwksUri`), exactly one of them.
 */
export type UserBy = 'id' | 'username';
export const USER_BY: readonly UserBy[] = ['id', 'username'];

export interface JwkSet {
  keys: Record<string, unknown>[];
}

export interface TrustedIssuer {
  /** The `iss` the JWTs carry, compared exactly (RFC 7519 §4.1.1: a case-sensitive string). */
  issuer: string;
  /** What a person calls it (the console lists it); the issuer when none was given. */
  name: string;
  jwks: JwkSet | null;
  jwksUri: string | null;
  /** The claim that names the Latchkey user, and whether it holds a user id or a username. */
  userClaim: string;
  userBy: UserBy;
  createdAt: number;
  updatedAt: number;
}

export type NewTrustedIssuer = Omit<TrustedIssuer, 'createdAt' | 'updatedAt'>;
export type TrustedIssuerChanges = Omit<TrustedIssuer, 'issuer' | 'createdAt' | 'updatedAt'>;

/** The store the core reads trusted issuers from, by their exact `iss`; storage/kysely/trusted-issuers.ts implements it. */
export interface TrustedIssuersStore {
  find(issuer: string): Promise<TrustedIssuer | undefined>;
  list(): Promise<TrustedIssuer[]>;
  create(issuer: NewTrustedIssuer, now: number): Promise<TrustedIssuer>;
  /** Replaces every field but the issuer; undefined when there is none. */
  update(issuer: string, changes: TrustedIssuerChanges, now: number): Promise<TrustedIssuer | undefined>;
  /** Whether there was one to delete. */
  delete(issuer: string): Promise<boolean>;
}
