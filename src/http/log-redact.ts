/**
 * Query parameters whose values never reach a log line. device_code and user_code are RFC 8628 credentials (its
 * verification_uri_complete carries the user code in the query string); request_uri is a bearer reference to a pushed
 * request (RFC 9126 §7.1); a request object (request) carries state and hints.
 */
const SECRET_PARAMS = /^(access_token|refresh_token|id_token|id_token_hint|code|code_verifier|client_secret|password|token|assertion|client_assertion|state|login_hint|device_code|user_code|request_uri|request)$/i;

/** A request URL for logging, with secret-bearing parameter values replaced. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const parts = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      let name = pair.slice(0, eq);
      try {
        name = decodeURIComponent(name);
      } catch {
        return `${pair.slice(0, eq)}=[redacted]`;
      }
      return SECRET_PARAMS.test(name) ? `${pair.slice(0, eq)}=[redacted]` : pair;
    });
  return `${url.slice(0, q)}?${parts.join('&')}`;
}
