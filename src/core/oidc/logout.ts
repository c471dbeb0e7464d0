/**
 * The end_session_endpoint (RP-Initiated Logout 1.0 §2.1) is the sign-out page people already use, /logout: one page
 * to sign out however one arrives (the account page, the console, a relying party), no second path to keep in step,
 * and no configuration key for a path that relying parties learn from discovery anyway.
 */
export const END_SESSION_PATH = '/logout';
