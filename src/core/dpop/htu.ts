/**
 * RFC 9449 §4.3 point 9: htu is compared with the request's URI "ignoring any query and fragment parts", after the
 * syntax- and scheme-based normalisation of RFC 3986 §6.2.2 and §6.2.3 (case of scheme and host, default port,
 * dot segments, percent-encoding case), which the WHATWG URL parser performs.
 */
export function sameHtu(htu: string, requestUrl: string): boolean {
  const a = normalise(htu);
  return a !== undefined && a === normalise(requestUrl);
}

function normalise(value: string): string | undefined {
  if (!URL.canParse(value)) return undefined;
  const url = new URL(value);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  return `${url.protocol}//${url.host}${url.pathname === '' ? '/' : url.pathname}`;
}
