import { InvalidClient } from '../errors.ts';
import { formDecode } from '../form-decode.ts';

/**
 * RFC 6749 §2.3.1 client_secret_basic: `Authorization: Basic base64(urlencode(id) ":" urlencode(secret))`.
 * Returns undefined when the header is absent or uses another scheme.
 */
export function parseBasic(header: string | undefined): { clientId: string; clientSecret: string } | undefined {
  if (header === undefined) return undefined;
  // Any other scheme is not client authentication; a malformed Basic header is a failed attempt, not an absent one.
  if (!/^Basic(?: |$)/i.test(header)) return undefined;
  const m = /^Basic +([A-Za-z0-9+/=_-]*) *$/i.exec(header);
  if (!m) throw new InvalidClient('malformed Basic credentials', { basicChallenge: true });
  const decoded = Buffer.from(m[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new InvalidClient('malformed Basic credentials', { basicChallenge: true });
  try {
    const clientId = formDecode(decoded.slice(0, colon));
    const clientSecret = formDecode(decoded.slice(colon + 1));
    if (!clientId) throw new InvalidClient('malformed Basic credentials', { basicChallenge: true });
    return { clientId, clientSecret };
  } catch (err) {
    if (err instanceof InvalidClient) throw err;
    throw new InvalidClient('malformed Basic credentials', { basicChallenge: true });
  }
}
