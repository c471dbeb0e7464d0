/**
 * One application/x-www-form-urlencoded name or value: `+` is a space, then percent-decoding (throws on malformed
 * percent-encoding or UTF-8). Most names and values have neither, and are returned as they are.
 */
export function formDecode(s: string): string {
  return s.includes('%') || s.includes('+') ? decodeURIComponent(s.replace(/\+/g, ' ')) : s;
}
