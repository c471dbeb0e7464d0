import { z } from 'zod';
import type { Config } from '../config/schema.ts';
import { ADMIN_SCOPE } from '../core/scope.ts';
import { API_ROUTES, NAMED_SCHEMAS, type ApiRoute } from './api.ts';
import { ADMIN_SCOPE_DESCRIPTION } from './built-in.ts';

/** The OpenAPI 3.1 document of the admin API, generated from the route table and its zod schemas. */

export const ADMIN_API_PREFIX = '/admin/api/v1';

type Json = Record<string, unknown>;

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });

/** JSON Schema 2020-12, as OpenAPI 3.1 embeds it: no $schema/$id per component, no regex behind `format: date-time`. */
const options = (io: 'input' | 'output') =>
  ({
    io,
    target: 'draft-2020-12',
    unrepresentable: 'any',
    uri: (id: string) => `#/components/schemas/${id}`,
    override: (ctx: { jsonSchema: unknown }) => {
      const js = ctx.jsonSchema as Json;
      if (js['format'] === 'date-time') delete js['pattern'];
    },
  }) as const;

function toSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const out = z.toJSONSchema(schema, options(io)) as Json;
  delete out['$schema'];
  return out;
}

function components(): Json {
  const schemas: Json = {};
  for (const io of ['input', 'output'] as const) {
    const registry = z.registry<{ id: string }>();
    for (const [id, schema, side] of NAMED_SCHEMAS) if (side === io) registry.add(schema, { id });
    // Schemas named here are referenced where they nest, not repeated.
    const { schemas: converted } = z.toJSONSchema(registry, options(io)) as { schemas: Record<string, Json> };
    for (const [id, js] of Object.entries(converted)) {
      delete js['$schema'];
      delete js['$id'];
      schemas[id] = js;
    }
  }
  return schemas;
}

function nameOf(schema: z.ZodType | undefined): string | undefined {
  return NAMED_SCHEMAS.find(([, s]) => s === schema)?.[0];
}

function queryParameters(route: ApiRoute): Json[] {
  if (!route.query) return [];
  const js = toSchema(route.query, 'input');
  const properties = (js['properties'] ?? {}) as Record<string, Json>;
  return Object.entries(properties).map(([name, schema]) => {
    const { description, ...rest } = schema;
    return { name, in: 'query', required: false, ...(description ? { description } : {}), schema: rest };
  });
}

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: ref('Error') } } });

function operation(route: ApiRoute): Json {
  const pathParams = [...route.path.matchAll(/\{([a-zA-Z]+)\}/g)].map((m) => m[1] ?? '');
  const parameters = [
    ...pathParams.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
    ...queryParameters(route),
  ];
  const responses: Json = {};
  for (const [status, r] of Object.entries(route.responses)) {
    const name = nameOf(r.schema);
    responses[status] = r.schema
      ? { description: r.description, content: { 'application/json': { schema: name ? ref(name) : toSchema(r.schema, 'output') } } }
      : { description: r.description };
  }
  if (route.body || route.query) responses['422'] = errorResponse('A field is invalid: `fields` names each one');
  responses['401'] = {
    ...errorResponse('No access token, or an invalid, expired or revoked one (RFC 6750 §3.1)'),
    headers: { 'WWW-Authenticate': { schema: { type: 'string' } } },
  };
  responses['403'] = errorResponse('The token lacks the admin scope, or its user is not an administrator');
  if (pathParams.length > 0) responses['404'] = errorResponse('Not found');
  if (route.conflicts) responses['409'] = errorResponse('Conflicts with the current state (a taken id, a built-in entity, the last administrator)');
  const bodyName = nameOf(route.body);
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: [route.tag],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body
      ? { requestBody: { required: !route.bodyOptional, content: { 'application/json': { schema: bodyName ? ref(bodyName) : toSchema(route.body, 'input') } } } }
      : {}),
    responses,
  };
}

export function openApiDocument(config: Config): Json {
  const paths: Record<string, Json> = {};
  for (const route of API_ROUTES) {
    const item = (paths[route.path] ??= {});
    item[route.method.toLowerCase()] = operation(route);
  }
  const doc: Json = {
    openapi: '3.1.0',
    info: {
      title: `${config.theme.productName} admin API`,
      version: 'v1',
      description:
        'Manage applications, users, scopes, token settings, grants and sessions, and read the audit log. ' +
        `Every request needs an access token of an administrator carrying the \`${ADMIN_SCOPE}\` scope, sent as \`Authorization: Bearer\`.`,
    },
    servers: [{ url: config.issuer + ADMIN_API_PREFIX }],
    security: [{ latchkey: [ADMIN_SCOPE] }],
    tags: [...new Set(API_ROUTES.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: components(),
      securitySchemes: {
        latchkey: {
          type: 'oauth2',
          description: 'An access token of an administrator, from the authorization code flow with PKCE.',
          flows: {
            authorizationCode: {
              authorizationUrl: config.issuer + config.paths.authorization,
              tokenUrl: config.issuer + config.paths.token,
              scopes: { [ADMIN_SCOPE]: ADMIN_SCOPE_DESCRIPTION },
            },
          },
        },
      },
    },
  };
  return doc;
}
