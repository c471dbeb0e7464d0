/**
 * Authentication Context Class References (OpenID Connect Core §2 `acr`) and methods (RFC 8176 `amr`): how strongly a
 * person signed in. The levels are ordered; a sign-in at one level also satisfies every level below it (a password and
 * a second factor is at least a password). Values are our own URNs where no registered value fits, and those of the
 * OpenID Connect Extended Authentication Profile (EAP) ACR Values 1.0 §2 where they do (phr, phrh).
 *
 * Only the password level is reachable today: second factors, passkeys and upstream providers will add theirs by
 * marking a level reachable and writing its amr at sign-in. Discovery lists the reachable levels only (truthful).
 */

export const ACR_PASSWORD = 'urn:latchkey:acr:password';
export const ACR_SECOND_FACTOR = 'urn:latchkey:acr:password-second-factor';

export interface AcrLevel {
  value: string;
  /** Whether a sign-in on this server can reach the level today (acr_values_supported, essential requests). */
  reachable: boolean;
  /** Whether a sign-in with these methods (RFC 8176 §2 values) reaches the level. */
  reachedBy(amr: readonly string[]): boolean;
}

/** Weakest first. */
export const ACR_LEVELS: readonly AcrLevel[] = [
  { value: ACR_PASSWORD, reachable: true, reachedBy: (amr) => amr.includes('pwd') },
  { value: ACR_SECOND_FACTOR, reachable: false, reachedBy: (amr) => amr.includes('pwd') && amr.some((m) => ['otp', 'sms', 'hwk', 'swk'].includes(m)) },
  // EAP §2.1 phr: phishing-resistant (a passkey bound to this origin); phrh: and its key is in hardware.
  { value: 'phr', reachable: false, reachedBy: (amr) => amr.includes('hwk') || amr.includes('swk') },
  { value: 'phrh', reachable: false, reachedBy: (amr) => amr.includes('hwk') },
];

/** How a person signed in: the level reached and the methods used (RFC 8176 §2 values). */
export interface SignInStrength {
  acr: string;
  amr: string[];
}

/** What a password sign-in records on its session (RFC 8176 §2 pwd). */
export const passwordSignIn = (): SignInStrength => ({ acr: ACR_PASSWORD, amr: ['pwd'] });

/** acr_values_supported (Discovery §3): the levels a sign-in can reach. */
export const supportedAcrValues = (): string[] => ACR_LEVELS.filter((l) => l.reachable).map((l) => l.value);

const rank = (value: string): number => ACR_LEVELS.findIndex((l) => l.value === value);

/** The strongest level these methods reach (the password level when none is named). */
export function levelOf(amr: readonly string[]): string {
  return ACR_LEVELS.filter((l) => l.reachedBy(amr)).at(-1)?.value ?? ACR_PASSWORD;
}

/** A session's sign-in; sessions written before migration 016 were all password sign-ins (the only kind there was). */
export const sessionStrength = (s: { acr?: string | null; amr?: string[] | null }): SignInStrength =>
  s.acr && s.amr ? { acr: s.acr, amr: s.amr } : passwordSignIn();

/** Whether a sign-in at `achieved` satisfies the requested `value` (an unknown value is satisfied by nothing). */
export function satisfies(achieved: string, value: string): boolean {
  const wanted = rank(value);
  return wanted >= 0 && wanted <= rank(achieved);
}

/** What the RP asked for: acr_values (Core §3.1.2.1) or the claims parameter's acr member (§5.5.1.1). */
export interface AcrRequest {
  /** In order of preference. */
  values: readonly string[];
  essential: boolean;
}

/**
 * The acr claim to report for a sign-in at `achieved`: the first requested value it satisfies (Core §3.1.2.1: the
 * values in order of preference), else what was achieved; so the token always says what actually happened.
 */
export function acrClaim(achieved: string, requested: readonly string[]): string {
  return requested.find((v) => satisfies(achieved, v)) ?? achieved;
}

/** Core §5.5.1.1: an essential acr request with values is met only by one of them. */
export const meetsEssential = (achieved: string, req: AcrRequest | undefined): boolean =>
  req === undefined || !req.essential || req.values.length === 0 || req.values.some((v) => satisfies(achieved, v));

/** Whether any level a sign-in can reach today meets an essential request: if none, asking for a password is pointless. */
export const reachableForEssential = (req: AcrRequest | undefined): boolean =>
  ACR_LEVELS.some((l) => l.reachable && meetsEssential(l.value, req));
