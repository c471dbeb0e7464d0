import { type ApiRoute, type NamedSchemas, route } from './api-route.ts';
import * as keys from './keys.ts';

/** The signing-key routes of the admin API table (api.ts), kept beside their operations. */

export const KEY_SCHEMAS: NamedSchemas = [
  ['SigningKeyRotate', keys.signingKeyRotate, 'input'],
  ['SigningKeyRetire', keys.signingKeyRetire, 'input'],
  ['SigningKey', keys.signingKeyView, 'output'],
  ['SigningKeyList', keys.signingKeyList, 'output'],
  ['SigningKeyRotation', keys.signingKeyRotation, 'output'],
  ['SigningKeyRetirement', keys.signingKeyRetirement, 'output'],
];

export const KEY_ROUTES: readonly ApiRoute[] = [
  route({
    method: 'GET', path: '/keys', operationId: 'listSigningKeys', tag: 'Signing keys',
    summary: 'List the signing keys', description: 'Public data only: kid, algorithm, state and its times.',
    responses: { 200: { description: 'Every stored key', schema: keys.signingKeyList } },
    handle: async (ctx) => ({ status: 200, body: await keys.listSigningKeys(ctx) }),
  }),
  route({
    method: 'POST', path: '/keys/rotate', operationId: 'rotateSigningKeys', tag: 'Signing keys',
    summary: 'Create the next signing key',
    description: 'Published in the JWKS at once, signing after keys.publishAheadSeconds (or at once with `now`); the current key is retired then and stays published until its tokens expire.',
    body: keys.signingKeyRotate, bodyOptional: true,
    responses: { 200: { description: 'The keys created and retired', schema: keys.signingKeyRotation } },
    handle: async (ctx, { body }) => ({ status: 200, body: await keys.rotateSigningKeys(ctx, body) }),
  }),
  route({
    method: 'POST', path: '/keys/{kid}/retire', operationId: 'retireSigningKey', tag: 'Signing keys',
    summary: 'Stop signing with a key now',
    description: 'A fresh key replaces the active one. The key stays published until the tokens it signed have expired, unless `unpublish`.',
    body: keys.signingKeyRetire, bodyOptional: true,
    responses: { 200: { description: 'The retired key and its replacement', schema: keys.signingKeyRetirement } },
    handle: async (ctx, input) => ({ status: 200, body: await keys.retireSigningKey(ctx, input.params['kid'] ?? '', input.body) }),
  }),
];
