import type { Profile } from './profile.ts';

/**
 * redCORE (Joomla): one URL for both endpoints, selected by method; the client secret may ride along in the
 * authorization request; PHP's curl posts the token request as multipart/form-data (the core parses it).
 */
export const redcore: Profile = {
  name: 'redcore',
  description: 'redCORE (Joomla) OAuth2 server: /index.php?option=token&api=oauth2',
  changes: [
    'GET /index.php?option=token&api=oauth2 is the authorization endpoint, POST the token endpoint (other option values: 404)',
    'the authorization request may carry client_secret: accepted only if it matches, never logged or echoed, warned once per client',
    'response_type code and token (token needs features.implicit and the client listing it)',
    'token requests as multipart/form-data (PHP curl with an array) or form-encoded',
    'non-expiring code-flow access tokens with the client setting accessTokenTtl: "never" (implicit tokens still expire)',
  ],
  routes: { authorize: '/index.php', token: '/index.php' },
  routeQuery: { option: 'token', api: 'oauth2' },
  clientSecretInAuthorize: true,
};
