import { z } from 'zod';

/** The admin API's building blocks, shared by the schemas of each resource (schemas.ts, application-schemas.ts). */

export const MAX_TTL = 10 * 365 * 24 * 3600;
export const MAX_CODE_TTL = 600;

export const seconds = (max: number, what = 'a whole number of seconds') =>
  z.number({ error: `enter ${what}` }).int({ error: `enter ${what}` }).min(1, { error: `enter ${what} of at least 1` }).max(max, { error: `at most ${max} seconds` });

/** A lifetime in seconds, or 'never' (for clients migrated from providers whose tokens do not expire). */
export const lifetime = z.union([seconds(MAX_TTL), z.literal('never')], { error: `enter a whole number of seconds from 1 to ${MAX_TTL}, or never` });

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
export const scopeName = z.string().max(100, { error: 'at most 100 characters' }).regex(SCOPE_TOKEN, { error: 'use printable ASCII without spaces, quotes or backslashes (RFC 6749 §3.3)' });

/** Client ids travel in Basic credentials, URLs and forms: unreserved characters only. */
export const clientId = z.string().regex(/^[A-Za-z0-9._~-]{1,200}$/, { error: 'use 1 to 200 letters, digits, and . _ ~ -' });

export const displayName = z.string().max(200, { error: 'at most 200 characters' }).regex(/\S/, { error: 'enter a name' });

export const isoTime = z.iso.datetime();
