import { z } from 'zod';

/**
 * Unknown configuration keys: a misspelled key must not start Latchkey with the default in its place. The schema's
 * objects are strict; this file names the nearest known key for the message, in the config file and in LATCHKEY_*
 * environment variables.
 */

/**
 * LATCHKEY_* variables that are not configuration keys, and so are not read as such: every one Latchkey, its
 * launcher, its tests or its documentation reads. Any other LATCHKEY_* variable must name a configuration key.
 */
export const ENV_NOT_CONFIG: readonly string[] = [
  'LATCHKEY_CONFIG', // the config file (src/config/load.ts)
  'LATCHKEY_USE_DIST', // bin/latchkey.mjs: run dist/ from a checkout
  'LATCHKEY_CLIENT_SECRET', // docs/resource-server.md: an API's own secret, often in the same environment
  'LATCHKEY_TEST_ALL_PROFILES', // tests: the core suites with every profile on
  'LATCHKEY_TEST_FIGURES', // tests: print the outage figures
  'LATCHKEY_CHROMIUM', // tests: the browser
  'LATCHKEY_PG_BIN', // tests: the PostgreSQL binaries
  'LATCHKEY_FUZZ_SEED', // tests: the fuzz's seed (test/flows/fuzz.test.ts)
  'LATCHKEY_FUZZ_COUNT', // tests: the fuzz's requests per family
  'LATCHKEY_PYTHON', // tests: the Python of the Authlib relying party (test/interop/)
  'LATCHKEY_GOPATH', // tests: the GOPATH the go-oidc relying party is built from
];

/** The schema inside defaults, optionals and transforms: the object, array or value whose keys are checked. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (;;) {
    if (s instanceof z.ZodDefault || s instanceof z.ZodPrefault || s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s.unwrap() as z.ZodType;
    else if (s instanceof z.ZodPipe) s = s.in as z.ZodType;
    else return s;
  }
}

const isIndex = (key: PropertyKey) => typeof key === 'number' || /^[0-9]+$/.test(String(key));

/** The (unwrapped) schema at `path`, numbers indexing arrays; undefined when the path leads nowhere. */
function nodeAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let s = unwrap(schema);
  for (const key of path) {
    if (s instanceof z.ZodArray && isIndex(key)) s = unwrap(s.element as z.ZodType);
    else if (s instanceof z.ZodObject && typeof key === 'string' && Object.hasOwn(s.shape, key)) s = unwrap(s.shape[key] as z.ZodType);
    else return undefined;
  }
  return s;
}

/** The keys allowed at `path`, or undefined when there is no object there. */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] | undefined {
  const s = nodeAt(schema, path);
  return s instanceof z.ZodObject ? Object.keys(s.shape) : undefined;
}

/** Optimal string alignment distance, case-insensitive: a swapped pair of letters counts once. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const d: number[][] = Array.from({ length: x.length + 1 }, (_, i) => Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number) => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return at(x.length, y.length);
}

/** The known key nearest to `key`, if it is close enough to be a typo of it. */
export function nearest(key: string, known: readonly string[]): string | undefined {
  let best: { key: string; d: number } | undefined;
  for (const k of known) {
    const d = distance(key, k);
    if (best === undefined || d < best.d) best = { key: k, d };
  }
  const limit = Math.max(2, Math.floor(key.length / 3));
  return best !== undefined && best.d <= limit ? best.key : undefined;
}

/** `tokens.accesTokenTtl: unknown key; did you mean tokens.accessTokenTtl?` */
export function unknownKeyMessage(schema: z.ZodType, path: readonly PropertyKey[], key: string): string {
  const where = (k: string) => [...path.map(String), k].join('.');
  const known = knownKeysAt(schema, path) ?? [];
  const guess = nearest(key, known);
  if (guess !== undefined) return `${where(key)}: unknown key; did you mean ${where(guess)}?`;
  return `${where(key)}: unknown key${known.length > 0 ? ` (known: ${known.join(', ')})` : ''}`;
}

const envSegment = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

/**
 * Why a LATCHKEY_* variable names no configuration key, or undefined when it does. `path` is the variable's key path
 * (camelCase segments); the suggestion replaces the first unknown segment and keeps the rest.
 */
export function unknownEnvProblem(schema: z.ZodType, name: string, path: readonly string[]): string | undefined {
  for (const [i, segment] of path.entries()) {
    const node = nodeAt(schema, path.slice(0, i));
    if (node instanceof z.ZodArray && isIndex(segment)) continue;
    if (!(node instanceof z.ZodObject)) {
      return `${name}: not a configuration variable${i > 0 ? ` (${path.slice(0, i).join('.')} has no sub-keys)` : ''}`;
    }
    if (Object.hasOwn(node.shape, segment)) continue;
    const guess = nearest(segment, Object.keys(node.shape));
    if (guess === undefined) return `${name}: not a configuration variable`;
    const fixed = [...path.slice(0, i), guess, ...path.slice(i + 1)];
    return `${name}: not a configuration variable; did you mean LATCHKEY_${fixed.map(envSegment).join('__')}?`;
  }
  return undefined;
}
