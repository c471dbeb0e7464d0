import { type ApiRoute, type NamedSchemas, route } from './api-route.ts';
import * as tokens from './registration-tokens.ts';

/** The initial-access-token routes of the admin API table (api.ts), kept beside their operations (the same as the CLI's). */

export const REGISTRATION_TOKEN_SCHEMAS: NamedSchemas = [
  ['RegistrationTokenCreate', tokens.registrationTokenCreate, 'input'],
  ['RegistrationToken', tokens.registrationTokenView, 'output'],
  ['RegistrationTokenList', tokens.registrationTokenList, 'output'],
  ['RegistrationTokenCreated', tokens.registrationTokenCreated, 'output'],
];

export const REGISTRATION_TOKEN_ROUTES: readonly ApiRoute[] = [
  route({
    method: 'GET', path: '/registration-tokens', operationId: 'listRegistrationTokens', tag: 'Client registration',
    summary: 'List initial access tokens', description: 'For registration.mode token (RFC 7591 §3). Never the tokens themselves.',
    responses: { 200: { description: 'Every token with its state and uses', schema: tokens.registrationTokenList } },
    handle: async (ctx) => ({ status: 200, body: await tokens.api.list(ctx) }),
  }),
  route({
    method: 'POST', path: '/registration-tokens', operationId: 'createRegistrationToken', tag: 'Client registration',
    summary: 'Create an initial access token',
    description: 'The token is in this response only: a client sends it as a Bearer to POST /register. Default: 7 days, any number of registrations.',
    body: tokens.registrationTokenCreate, bodyOptional: true,
    responses: { 201: { description: 'Created; hand the token over now', schema: tokens.registrationTokenCreated } },
    handle: async (ctx, { body }) => ({ status: 201, body: await tokens.api.create(ctx, body) }),
  }),
  route({
    method: 'POST', path: '/registration-tokens/{id}/revoke', operationId: 'revokeRegistrationToken', tag: 'Client registration',
    summary: 'Revoke an initial access token', description: 'Registrations with it are refused; clients it registered stay.',
    responses: { 204: { description: 'Revoked' } },
    handle: async (ctx, input) => (await tokens.api.revoke(ctx, input.params['id'] ?? ''), { status: 204 }),
  }),
];
