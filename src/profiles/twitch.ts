import type { Profile } from './profile.ts';

/** Twitch (kraken API): its own paths; the token response lists the scopes as a JSON array, as that API does. */
export const twitch: Profile = {
  name: 'twitch',
  description: 'Twitch (kraken API): /kraken/oauth2/authorize and /kraken/oauth2/token',
  changes: [
    'GET /kraken/oauth2/authorize is the authorization endpoint, POST /kraken/oauth2/token the token endpoint',
    'the token response carries scope as a JSON array of strings instead of a space-separated string',
  ],
  routes: { authorize: '/kraken/oauth2/authorize', token: '/kraken/oauth2/token' },
  shapeTokenResponse: (body) => ({ ...body, scope: body.scope === '' ? [] : body.scope.split(' ') }),
};
