import { type ApiRoute, type NamedSchemas, route } from './api-route.ts';
import * as res from './resources.ts';

/** The resource (API) routes of the admin API table (api.ts), kept beside their operations. */

export const RESOURCE_SCHEMAS: NamedSchemas = [
  ['ResourceCreate', res.resourceCreate, 'input'],
  ['ResourceUpdate', res.resourceUpdate, 'input'],
  ['Resource', res.resourceView, 'output'],
  ['ResourceList', res.resourceList, 'output'],
  ['ResourceDeletion', res.resourceDeletion, 'output'],
];

const idOf = (input: { params: Readonly<Record<string, string>> }): string => input.params['id'] ?? '';
const ID_NOTE = 'The identifier is a URI: percent-encode it as one path segment (encodeURIComponent).';

export const RESOURCE_ROUTES: readonly ApiRoute[] = [
  route({
    method: 'GET', path: '/resources', operationId: 'listResources', tag: 'Resources',
    summary: 'List the resources (APIs)', description: 'The APIs access tokens are issued for (RFC 8707), in creation order.',
    responses: { 200: { description: 'Every resource', schema: res.resourceList } },
    handle: async (ctx) => ({ status: 200, body: await res.listResources(ctx) }),
  }),
  route({
    method: 'POST', path: '/resources', operationId: 'createResource', tag: 'Resources',
    summary: 'Register a resource (API)',
    description: 'Scopes it names that do not exist yet are created. A scope belongs to at most one resource; the user\'s scopes (openid, profile...) to none.',
    body: res.resourceCreate, conflicts: true,
    responses: { 201: { description: 'The resource', schema: res.resourceView } },
    handle: async (ctx, { body }) => ({ status: 201, body: await res.createResource(ctx, body) }),
  }),
  route({
    method: 'GET', path: '/resources/{id}', operationId: 'getResource', tag: 'Resources',
    summary: 'Read a resource', description: ID_NOTE,
    responses: { 200: { description: 'The resource', schema: res.resourceView } },
    handle: async (ctx, input) => ({ status: 200, body: res.toResourceView(await res.findResource(ctx, idOf(input)), ctx) }),
  }),
  route({
    method: 'PATCH', path: '/resources/{id}', operationId: 'updateResource', tag: 'Resources',
    summary: 'Change a resource', description: `${ID_NOTE} Only the fields sent change; null clears a lifetime or the introspection client.`,
    body: res.resourceUpdate,
    responses: { 200: { description: 'The resource', schema: res.resourceView } },
    handle: async (ctx, input) => ({ status: 200, body: await res.updateResource(ctx, idOf(input), input.body) }),
  }),
  route({
    method: 'DELETE', path: '/resources/{id}', operationId: 'deleteResource', tag: 'Resources',
    summary: 'Delete a resource', description: `${ID_NOTE} The access tokens issued for it are revoked; refreshing for it is then invalid_target.`,
    responses: { 200: { description: 'How many tokens were revoked', schema: res.resourceDeletion } },
    handle: async (ctx, input) => ({ status: 200, body: await res.deleteResource(ctx, idOf(input)) }),
  }),
];
