/**
 * RFC 8707 §2: a resource indicator is an absolute URI (RFC 3986 §4.3) and MUST NOT include a fragment. It is
 * compared as a string, exactly as registered (no normalisation): `https://api.example` and `https://api.example/`
 * are two identifiers, and a client must send the one the resource was registered with.
 */
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
const MAX_LENGTH = 2000;

/** Why `id` cannot be a resource identifier, or undefined when it can. Safe to show: it never echoes the value. */
export function resourceIdentifierProblem(id: string): string | undefined {
  if (id.length === 0) return 'a resource identifier cannot be empty';
  if (id.length > MAX_LENGTH) return `a resource identifier is at most ${MAX_LENGTH} characters`;
  if (id.includes('#')) return 'a resource identifier must not include a fragment (RFC 8707 §2)';
  // Spaces and controls cannot appear in a URI (RFC 3986 §2); refusing them also keeps the space free as the separator
  // of repeated `resource` parameters (http/params.ts).
  if (/[\s\x00-\x1f\x7f]/.test(id)) return 'a resource identifier must not contain spaces or control characters';
  if (!SCHEME.test(id) || !URL.canParse(id)) return 'a resource identifier must be an absolute URI (RFC 8707 §2)';
  return undefined;
}
