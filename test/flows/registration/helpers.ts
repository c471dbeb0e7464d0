import { expect } from 'vitest';
import type { TestServer } from '../../support/server.ts';

/** Plain-fetch helpers for the registration endpoint (RFC 7591 §3.1), for requests a client library would not send. */

export type Json = Record<string, unknown>;

export async function register(server: { url: string }, metadata: unknown, options: { token?: string; headers?: Record<string, string> } = {}): Promise<Response> {
  const headers = new Headers({ 'content-type': 'application/json', ...options.headers });
  if (options.token !== undefined) headers.set('authorization', `Bearer ${options.token}`);
  return fetch(new URL('/register', server.url), { method: 'POST', headers, body: typeof metadata === 'string' ? metadata : JSON.stringify(metadata) });
}

/** RFC 7592 §2: read, replace, delete at registration_client_uri with the registration access token. */
export function manage(uri: string, method: 'GET' | 'PUT' | 'DELETE', token: string | undefined, body?: unknown): Promise<Response> {
  const headers = new Headers();
  if (token !== undefined) headers.set('authorization', `Bearer ${token}`);
  if (body !== undefined) headers.set('content-type', 'application/json');
  return fetch(uri, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
}

/** RFC 7591 §3.2.1: 201, JSON, no-store; returns the body. */
export async function expectRegistered(res: Response): Promise<Json> {
  const text = await res.text();
  expect({ status: res.status, text }).toMatchObject({ status: 201 });
  expect(res.headers.get('cache-control') ?? '').toContain('no-store');
  return JSON.parse(text) as Json;
}

/** RFC 7591 §3.2.2: the status, the error code, an error_description naming `field` when given. */
export async function expectRegistrationError(res: Response, status: number, error: string, field?: string): Promise<Json> {
  const text = await res.text();
  expect({ status: res.status, text }).toMatchObject({ status });
  expect(res.headers.get('cache-control') ?? '').toContain('no-store');
  const body = JSON.parse(text) as Json;
  expect(body['error']).toBe(error);
  if (field !== undefined) expect(String(body['error_description'])).toContain(field);
  return body;
}

export const NATIVE = { application_type: 'native', redirect_uris: ['http://127.0.0.1/callback'], client_name: 'Native Tool' };
export const WEB = { redirect_uris: ['https://app.example/cb'], client_name: 'Web Tool' };

export const metadataOf = async (server: TestServer, path = '/.well-known/oauth-authorization-server') =>
  (await (await fetch(new URL(path, server.url))).json()) as Json;
