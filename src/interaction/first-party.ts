/**
 * Latchkey's own applications: the web console (an administrator's tool, src/console/routes.ts) and the account
 * page (src/account/routes.ts). Both sign people in through the ordinary authorization endpoint, as public clients
 * with PKCE, and are seeded at start-up (src/admin/built-in.ts). There is no third party to ask consent for.
 */
export const CONSOLE_CLIENT_ID = 'latchkey-console';
export const ACCOUNT_CLIENT_ID = 'latchkey-account';

export const isFirstParty = (clientId: string): boolean => clientId === CONSOLE_CLIENT_ID || clientId === ACCOUNT_CLIENT_ID;
