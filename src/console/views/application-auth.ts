import type { ApplicationView } from '../../admin/schemas.ts';
import { html, type SafeHtml } from '../../interaction/html.ts';
import { type FieldErrors, selectField, textArea, textField } from './layout.ts';

/**
 * The client authentication fieldset of the application forms (RFC 7591 §2, RFC 7523 §2.2), as typed: a secret (the
 * default), or private_key_jwt with the application's public keys inline or at a jwks_uri. The method is chosen on
 * the create form only, as the type is.
 */
export interface AuthForm {
  tokenEndpointAuthMethod: string;
  jwks: string;
  jwksUri: string;
  tokenEndpointAuthSigningAlg: string;
}

export const AUTH_LABELS: Readonly<Record<string, string>> = {
  tokenEndpointAuthMethod: 'Authentication method',
  jwks: 'Public keys (JWK Set)',
  jwksUri: 'Public keys URL (jwks_uri)',
  tokenEndpointAuthSigningAlg: 'Assertion algorithm',
};

export const EMPTY_AUTH_FORM: AuthForm = { tokenEndpointAuthMethod: 'default', jwks: '', jwksUri: '', tokenEndpointAuthSigningAlg: 'default' };

export function authFormFrom(a: ApplicationView): AuthForm {
  return {
    tokenEndpointAuthMethod: a.tokenEndpointAuthMethod === 'private_key_jwt' || a.tokenEndpointAuthMethod === 'client_secret_jwt' ? a.tokenEndpointAuthMethod : 'default',
    jwks: a.jwks === null ? '' : JSON.stringify(a.jwks, null, 2),
    jwksUri: a.jwksUri ?? '',
    tokenEndpointAuthSigningAlg: a.tokenEndpointAuthSigningAlg ?? 'default',
  };
}

/** The admin API's input for these fields; text that is not JSON goes on as text, for the API to refuse by field. */
export function authInput(form: AuthForm, creating: boolean): Record<string, unknown> {
  const jwksText = form.jwks.trim();
  let jwks: unknown = null;
  if (jwksText !== '') {
    try {
      jwks = JSON.parse(jwksText) as unknown;
    } catch {
      jwks = jwksText;
    }
  }
  return {
    ...(creating && (form.tokenEndpointAuthMethod === 'private_key_jwt' || form.tokenEndpointAuthMethod === 'client_secret_jwt') ? { tokenEndpointAuthMethod: form.tokenEndpointAuthMethod } : {}),
    jwks,
    jwksUri: form.jwksUri.trim() === '' ? null : form.jwksUri.trim(),
    tokenEndpointAuthSigningAlg: form.tokenEndpointAuthSigningAlg === 'default' ? null : form.tokenEndpointAuthSigningAlg,
  };
}

const METHOD_NAMES: Readonly<Record<string, string>> = {
  private_key_jwt: 'private key JWT (RFC 7523)',
  client_secret_jwt: 'client secret JWT (RFC 7523, HMAC)',
};

const ALGS = ['RS256', 'PS256', 'ES256', 'EdDSA', 'RS384', 'RS512', 'PS384', 'PS512', 'ES384', 'ES512'];

export function authFieldset(form: AuthForm, errors: FieldErrors, creating: boolean): SafeHtml {
  const method = creating
    ? selectField({
        name: 'tokenEndpointAuthMethod',
        label: AUTH_LABELS['tokenEndpointAuthMethod'] ?? '',
        value: form.tokenEndpointAuthMethod,
        error: errors['tokenEndpointAuthMethod'],
        hint: 'Chosen once. A private key JWT application has no secret: it signs a short assertion with its own private key. A client secret JWT one MACs the assertion with its secret, which the server then keeps encrypted.',
        options: [
          { value: 'default', label: 'Client secret (confidential) or none (public)' },
          { value: 'private_key_jwt', label: 'Private key JWT (RFC 7523)' },
          { value: 'client_secret_jwt', label: 'Client secret JWT (RFC 7523, HMAC; prefer private key JWT)' },
        ],
      })
    : html`<p class="lk-hint">${AUTH_LABELS['tokenEndpointAuthMethod'] ?? ''}: ${METHOD_NAMES[form.tokenEndpointAuthMethod] ?? 'client secret, or none for a public application'} (chosen at creation).</p>`;
  return html`<fieldset>
<legend>Client authentication</legend>
${method}
${textArea({ name: 'jwks', label: AUTH_LABELS['jwks'] ?? '', value: form.jwks, error: errors['jwks'], rows: 4, hint: 'Private key JWT only: the public keys as JSON, {"keys": [...]}. Never the private key. Or use a URL below.' })}
${textField({ name: 'jwksUri', label: AUTH_LABELS['jwksUri'] ?? '', value: form.jwksUri, error: errors['jwksUri'], hint: 'Private key JWT only: an https URL serving the public keys; fetched and cached.' })}
${selectField({
  name: 'tokenEndpointAuthSigningAlg',
  label: AUTH_LABELS['tokenEndpointAuthSigningAlg'] ?? '',
  value: form.tokenEndpointAuthSigningAlg,
  error: errors['tokenEndpointAuthSigningAlg'],
  options: [{ value: 'default', label: 'Any asymmetric algorithm' }, ...ALGS.map((a) => ({ value: a, label: a }))],
})}
</fieldset>`;
}
