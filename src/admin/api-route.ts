import type { z } from 'zod';
import type { AdminContext } from './context.ts';

/** Schemas named in the OpenAPI document (openapi.ts): name, schema, and whether it describes a request or a response. */
export type NamedSchemas = ReadonlyArray<readonly [string, z.ZodType, 'input' | 'output']>;

/** One row of the admin API's table (api.ts): what admin-routes.ts registers and openapi.ts describes. */

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
export type Tag = 'Applications' | 'Users' | 'Scopes' | 'Token settings' | 'Grants and sessions' | 'Audit log' | 'Signing keys' | 'Client registration' | 'Resources' | 'Token exchange' | 'Trusted issuers';

export interface ApiResult {
  status: number;
  body?: unknown;
}

export interface ApiInput<Q, B> {
  params: Readonly<Record<string, string>>;
  query: Q;
  body: B;
}

export interface ApiRoute {
  method: Method;
  /** OpenAPI path template under /admin/api/v1, e.g. `/applications/{id}`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: Tag;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Validates the body with rules that depend on this server's issuer (redirect URIs); `body` still documents it. */
  bodyFor?: (issuer: string) => z.ZodType;
  /** The body may be left out (defaults apply). */
  bodyOptional?: boolean;
  /** Success responses by status; the error statuses are derived (openapi.ts). */
  responses: Readonly<Record<number, { description: string; schema?: z.ZodType }>>;
  /** Statuses besides 401/403 (always) and 404 (paths with a parameter), 422 (a body or query). */
  conflicts?: boolean;
  handle(ctx: AdminContext, input: ApiInput<unknown, unknown>): Promise<ApiResult>;
}

type Out<T> = T extends z.ZodType ? z.output<T> : undefined;

/** Keeps each handler's input typed by its own schemas, then erases the types for the table. */
export function route<Q extends z.ZodType | undefined = undefined, B extends z.ZodType | undefined = undefined>(
  def: Omit<ApiRoute, 'handle' | 'query' | 'body'> & { query?: Q; body?: B; handle(ctx: AdminContext, input: ApiInput<Out<Q>, Out<B>>): Promise<ApiResult> },
): ApiRoute {
  return def as unknown as ApiRoute;
}
