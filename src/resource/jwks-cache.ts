import { IntrospectionError } from './errors.ts';
import { isObject, type JsonCall } from './http-json.ts';

/**
 * The issuer's JSON Web Key Set (RFC 7517 §5), fetched from its `jwks_uri` and kept. A token signed with a key we
 * have not seen (a rotation) triggers a fetch, but at most one per cooldown: otherwise a flood of tokens with made-up
 * `kid`s would turn every bogus request into a request to the authorization server. Concurrent fetches share one.
 */
export interface JwksCacheOptions {
  jwksUri: () => Promise<string>;
  call: JsonCall;
  now: () => number;
  cooldownMs: number;
  maxAgeMs: number;
}

export interface JwksCache {
  /** The keys that may have signed a token with this header's `kid` (all keys when it has none). */
  candidates(kid: string | undefined): Promise<Record<string, unknown>[]>;
}

export function createJwksCache(o: JwksCacheOptions): JwksCache {
  let keys: Record<string, unknown>[] | undefined;
  let fetchedAt = -Infinity;
  let pending: Promise<void> | undefined;

  const refresh = (): Promise<void> => {
    pending ??= (async () => {
      // Counted from the attempt, so a failing JWKS endpoint is not asked again on every request either.
      fetchedAt = o.now();
      const url = await o.jwksUri();
      const body = await o.call(url);
      if (!isObject(body) || !Array.isArray(body['keys'])) throw new IntrospectionError(`${url} is not a JSON Web Key Set`);
      keys = body['keys'].filter(isObject);
    })().finally(() => {
      pending = undefined;
    });
    return pending;
  };

  const matching = (kid: string | undefined) => (keys ?? []).filter((k) => kid === undefined || k['kid'] === kid);

  return {
    async candidates(kid) {
      const age = o.now() - fetchedAt;
      if (keys === undefined) {
        await (pending ?? (age >= o.cooldownMs ? refresh() : Promise.resolve()));
        if (keys === undefined) throw new IntrospectionError('the JSON Web Key Set could not be fetched');
      } else if (age >= o.maxAgeMs) {
        // A scheduled refresh that fails keeps the keys we have: they were good. An unknown kid retries after the cooldown.
        await (pending ?? refresh()).catch(() => undefined);
      }
      let found = matching(kid);
      if (found.length === 0 && o.now() - fetchedAt >= o.cooldownMs) {
        await (pending ?? refresh());
        found = matching(kid);
      }
      return found;
    },
  };
}
