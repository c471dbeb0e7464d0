import type { NewClient } from '../../src/core/repositories.ts';

/** A confidential client as the repositories take it, every setting at its default; `overrides` sets the rest. */
export function newClient(overrides: Partial<NewClient> & Pick<NewClient, 'id'>): NewClient {
  return {
    name: overrides.id,
    type: 'confidential',
    secretHash: 'h',
    redirectUris: ['https://app.example/cb'],
    grantTypes: ['authorization_code'],
    responseTypes: ['code'],
    scopes: [],
    accessTokenTtl: null,
    refreshTokenTtl: null,
    codeTtl: null,
    requirePkce: null,
    introspectAny: false,
    ...overrides,
  };
}
