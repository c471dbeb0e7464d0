import { type ApiRoute, type NamedSchemas, route } from './api-route.ts';
import * as ti from './trusted-issuers.ts';

/** The trusted issuer routes of the admin API table (api.ts), kept beside their operations (trusted-issuers.ts). */

export const TRUSTED_ISSUER_SCHEMAS: NamedSchemas = [
  ['TrustedIssuerCreate', ti.trustedIssuerCreate, 'input'],
  ['TrustedIssuerReplace', ti.trustedIssuerReplace, 'input'],
  ['TrustedIssuer', ti.trustedIssuerView, 'output'],
  ['TrustedIssuerList', ti.trustedIssuerList, 'output'],
];

const issuerOf = (input: { params: Readonly<Record<string, string>> }): string => input.params['issuer'] ?? '';
const ISSUER_NOTE = 'The issuer is usually a URL: percent-encode it as one path segment (encodeURIComponent).';

export const TRUSTED_ISSUER_ROUTES: readonly ApiRoute[] = [
  route({
    method: 'GET', path: '/trusted-issuers', operationId: 'listTrustedIssuers', tag: 'Trusted issuers',
    summary: 'List the trusted issuers',
    description: 'Other issuers whose JWTs are accepted as token exchange subject or actor tokens (RFC 8693, type jwt) and as JWT bearer assertions (RFC 7523 §2.1), in creation order.',
    responses: { 200: { description: 'Every trusted issuer', schema: ti.trustedIssuerList } },
    handle: async (ctx) => ({ status: 200, body: await ti.listTrustedIssuers(ctx) }),
  }),
  route({
    method: 'POST', path: '/trusted-issuers', operationId: 'createTrustedIssuer', tag: 'Trusted issuers',
    summary: 'Trust an issuer',
    description: 'Its public keys inline (jwks, a JWK Set) or fetched (jwksUri, https); a private or symmetric key is refused (422).',
    body: ti.trustedIssuerCreate, conflicts: true,
    responses: { 201: { description: 'The trusted issuer', schema: ti.trustedIssuerView } },
    handle: async (ctx, { body }) => ({ status: 201, body: await ti.createTrustedIssuer(ctx, body) }),
  }),
  route({
    method: 'GET', path: '/trusted-issuers/{issuer}', operationId: 'getTrustedIssuer', tag: 'Trusted issuers',
    summary: 'Read a trusted issuer', description: ISSUER_NOTE,
    responses: { 200: { description: 'The trusted issuer', schema: ti.trustedIssuerView } },
    handle: async (ctx, input) => ({ status: 200, body: ti.toTrustedIssuerView(await ti.findTrustedIssuer(ctx, issuerOf(input)), ctx) }),
  }),
  route({
    method: 'PUT', path: '/trusted-issuers/{issuer}', operationId: 'replaceTrustedIssuer', tag: 'Trusted issuers',
    summary: 'Replace (or create) a trusted issuer',
    description: `${ISSUER_NOTE} Every field is replaced; fields left out take their defaults. New keys are used from the next JWT on.`,
    body: ti.trustedIssuerReplace,
    responses: { 200: { description: 'Replaced', schema: ti.trustedIssuerView }, 201: { description: 'Created', schema: ti.trustedIssuerView } },
    handle: async (ctx, input) => {
      const { view, created } = await ti.replaceTrustedIssuer(ctx, issuerOf(input), input.body);
      return { status: created ? 201 : 200, body: view };
    },
  }),
  route({
    method: 'DELETE', path: '/trusted-issuers/{issuer}', operationId: 'deleteTrustedIssuer', tag: 'Trusted issuers',
    summary: 'Stop trusting an issuer',
    description: `${ISSUER_NOTE} Its JWTs are refused from then on (invalid_grant): at once on the node that answers, within cacheTtlMs on the others. An issuer declared in the configuration file comes back at the next start.`,
    responses: { 204: { description: 'Deleted' } },
    handle: async (ctx, input) => (await ti.deleteTrustedIssuer(ctx, issuerOf(input)), { status: 204 }),
  }),
];
