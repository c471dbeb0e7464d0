import { html, type SafeHtml } from '../../interaction/html.ts';
import { choiceGroup, type FieldErrors, selectField } from './layout.ts';

/**
 * What an application's requests must be, on the application forms: pushed (RFC 9126 §6
 * require_pushed_authorization_requests), signed (RFC 9101 §10.5 require_signed_request_object), and proved with a
 * DPoP key (RFC 9449 §5.2 dpop_bound_access_tokens). "Server default" follows the server-wide setting.
 */
/** A requirement that follows the server-wide setting unless the application sets its own. */
const REQUIREMENT = [
  { value: 'default', label: 'Server default' },
  { value: 'yes', label: 'Required' },
  { value: 'no', label: 'Optional' },
];

export function requestPolicyFields(
  form: { requirePushedAuthorizationRequests: string; requireSignedRequestObject: string; dpopBoundAccessTokens: boolean },
  errors: FieldErrors,
): SafeHtml {
  return html`${selectField({
  name: 'requirePushedAuthorizationRequests',
  label: 'Pushed authorization requests (RFC 9126)',
  value: form.requirePushedAuthorizationRequests,
  error: errors['requirePushedAuthorizationRequests'],
  hint: 'Required: the application must send its authorization requests to the pushed authorization request endpoint first.',
  options: REQUIREMENT,
})}
${selectField({
  name: 'requireSignedRequestObject',
  label: 'Signed request objects (RFC 9101)',
  value: form.requireSignedRequestObject,
  error: errors['requireSignedRequestObject'],
  hint: 'Required: the application must sign its authorization requests with a key it registered.',
  options: REQUIREMENT,
})}
${choiceGroup({
  name: 'dpopBoundAccessTokens',
  legend: 'DPoP',
  type: 'checkbox',
  choices: [{ value: 'true', label: 'Require DPoP proofs: every token is bound to the application\'s key (RFC 9449)' }],
  selected: form.dpopBoundAccessTokens ? ['true'] : [],
  error: errors['dpopBoundAccessTokens'],
})}`;
}
