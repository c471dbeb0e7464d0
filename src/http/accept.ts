/**
 * Whether a request's Accept header asks for an HTML page rather than JSON: text/html (or XHTML) listed explicitly
 * with a weight above zero and no lower than application/json's (RFC 9110 §12.5.1 weights). Browsers list text/html
 * first; API clients send nothing, `*\/*`, or application/json, and keep the JSON answer.
 */
export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  let html = 0;
  let json = 0;
  for (const part of accept.split(',').slice(0, 50)) {
    const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    if (!Number.isFinite(weight)) continue;
    if (type === 'text/html' || type === 'application/xhtml+xml') html = Math.max(html, weight);
    else if (type === 'application/json') json = Math.max(json, weight);
  }
  return html > 0 && html >= json;
}
