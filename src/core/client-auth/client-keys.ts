import { createLocalJWKSet, errors, type JSONWebKeySet, type JWSHeaderParameters } from 'jose';
import type { Clock } from '../clock.ts';
import type { ClientAssertionAuth } from '../model.ts';
import { JwksFetchError, type JwksFetch } from './jwks-fetch.ts';

/** A key to verify an assertion with, as jose's jwtVerify takes it. */
type VerifyKey = Awaited<ReturnType<ReturnType<typeof createLocalJWKSet>>>;
type KeySet = ReturnType<typeof createLocalJWKSet>;

export interface ClientKeySettings {
  /** A fetched jwks_uri document is used this long (seconds). */
  cacheSeconds: number;
  /** Least time between two fetches of one jwks_uri (seconds), whatever kids assertions name. */
  refetchSeconds: number;
}

/** The keys of private_key_jwt clients: inline `jwks`, or `jwks_uri` fetched through the port and cached. */
export interface ClientKeys {
  /** The key the assertion's header names; throws when the client has none that fits. */
  keyFor(auth: ClientAssertionAuth, header: JWSHeaderParameters): Promise<VerifyKey>;
}

interface Entry {
  set: KeySet;
  fetchedAt: number;
}

/** Clients of one server share few jwks_uris; the bound keeps a flood of registrations from growing memory. */
const MAX_CACHED = 1000;

export function clientKeys(fetchJwks: JwksFetch, clock: Clock, settings: ClientKeySettings): ClientKeys {
  const cache = new Map<string, Entry>();
  const inline = new WeakMap<object, KeySet>();
  /** When each jwks_uri was last fetched, successfully or not: a failing host is not asked again before refetchSeconds. */
  const attempts = new Map<string, number>();
  /** One fetch at a time per URI: concurrent assertions with a new kid wait for the same answer. */
  const inFlight = new Map<string, Promise<Entry>>();
  const mayFetch = (uri: string, now: number) => {
    const last = attempts.get(uri);
    return last === undefined || now - last >= settings.refetchSeconds;
  };

  const fetchSet = (uri: string, now: number): Promise<Entry> => {
    const running = inFlight.get(uri);
    if (running) return running;
    bounded(attempts, uri);
    attempts.set(uri, now);
    const p = (async () => {
      const entry: Entry = { set: createLocalJWKSet(asKeySet(await fetchJwks(uri))), fetchedAt: now };
      bounded(cache, uri);
      cache.set(uri, entry);
      return entry;
    })().finally(() => inFlight.delete(uri));
    inFlight.set(uri, p);
    return p;
  };

  return {
    async keyFor(auth, header) {
      if (auth.jwks) {
        // Imported once per registration object (the client cache hands out the same one while it holds it).
        let set = inline.get(auth.jwks);
        if (!set) inline.set(auth.jwks, (set = createLocalJWKSet(asKeySet(auth.jwks))));
        return set(header);
      }
      if (!auth.jwksUri) throw new JwksFetchError('the client registered no keys');
      const uri = auth.jwksUri;
      const now = clock.now();
      let entry = cache.get(uri);
      if (!entry || now - entry.fetchedAt >= settings.cacheSeconds) {
        // A stale document still serves while the host may not be asked again (it failed moments ago).
        if (mayFetch(uri, now) || inFlight.has(uri)) entry = await fetchSet(uri, now);
        else if (!entry) throw new JwksFetchError('jwks_uri failed recently; not fetched again yet');
      }
      try {
        return await entry.set(header);
      } catch (err) {
        if (!(err instanceof errors.JWKSNoMatchingKey)) throw err;
        // An unknown kid is how a client's key rotation looks: fetch again, but at most once per refetchSeconds,
        // so assertions naming made-up kids cannot turn Latchkey into a flood of requests at the client's host.
        if (!mayFetch(uri, now)) throw err;
        return (await fetchSet(uri, now)).set(header);
      }
    },
  };
}

function bounded(map: Map<string, unknown>, key: string): void {
  if (map.size >= MAX_CACHED && !map.has(key)) map.delete(map.keys().next().value ?? '');
}

/** A JWK Set (RFC 7517 §5) as jose takes it; anything else is the client's error, reported without its content. */
function asKeySet(document: unknown): JSONWebKeySet {
  const keys = typeof document === 'object' && document !== null ? (document as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'object' && k !== null)) throw new JwksFetchError('not a JWK Set');
  return { keys: keys as JSONWebKeySet['keys'] };
}
