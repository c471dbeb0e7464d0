import type { ResourceView } from '../../admin/resources.ts';
import { html, type SafeHtml } from '../../interaction/html.ts';
import { choiceGroup, csrfInput, errorSummary, type FieldErrors, postButton, selectField, table, textField } from './layout.ts';

/** The console's resources (APIs, RFC 8707): the list, a Create form, and an Edit page with Delete. */

/** The form as typed: strings, shown again with the errors next to their fields. */
export interface ResourceForm {
  id: string;
  name: string;
  /** Space-separated scope names. */
  scopes: string;
  accessTokenFormat: string;
  accessTokenTtl: string;
  introspectionClientId: string;
  /** The DPoP checkbox (RFC 9449 §7.2): a browser sends nothing when it is not ticked. */
  dpopBoundAccessTokensRequired: boolean;
}

export const EMPTY_RESOURCE_FORM: ResourceForm = { id: '', name: '', scopes: '', accessTokenFormat: 'opaque', accessTokenTtl: '', introspectionClientId: '', dpopBoundAccessTokensRequired: false };

export const resourceForm = (r: ResourceView): ResourceForm => ({
  id: r.id,
  name: r.name,
  scopes: r.scopes.join(' '),
  accessTokenFormat: r.accessTokenFormat,
  accessTokenTtl: r.accessTokenTtl === null ? '' : String(r.accessTokenTtl),
  introspectionClientId: r.introspectionClientId ?? '',
  dpopBoundAccessTokensRequired: r.dpopBoundAccessTokensRequired,
});

const LABELS: Readonly<Record<string, string>> = {
  id: 'Identifier',
  name: 'Name',
  scopes: 'Scopes',
  accessTokenFormat: 'Access-token format',
  accessTokenTtl: 'Access-token lifetime',
  introspectionClientId: 'Introspection application',
  dpopBoundAccessTokensRequired: 'DPoP',
};

interface FormOptions {
  form: ResourceForm;
  errors: FieldErrors;
  clients: readonly { id: string; name: string }[];
  /** Edit: the identifier is fixed (it is the tokens' audience) and travels as a hidden field. */
  editing: boolean;
}

function fields(o: FormOptions): SafeHtml {
  const f = o.form;
  return html`${o.editing
    ? html`<input type="hidden" name="id" value="${f.id}">`
    : textField({ name: 'id', label: LABELS['id'] ?? 'id', value: f.id, required: true, error: o.errors['id'], hint: 'An absolute URI without a fragment (RFC 8707 §2), e.g. https://api.example.com/: what clients send as resource, and the access tokens\' aud. It cannot change later.' })}
${textField({ name: 'name', label: LABELS['name'] ?? 'name', value: f.name, required: true, error: o.errors['name'], hint: 'Shown on the consent page.' })}
${textField({ name: 'scopes', label: LABELS['scopes'] ?? 'scopes', value: f.scopes, error: o.errors['scopes'], hint: 'Separated by spaces; new ones are created. A scope belongs to at most one API.' })}
${selectField({ name: 'accessTokenFormat', label: LABELS['accessTokenFormat'] ?? '', value: f.accessTokenFormat, error: o.errors['accessTokenFormat'], options: [{ value: 'opaque', label: 'Opaque (the API introspects it)' }, { value: 'jwt', label: 'JWT (RFC 9068, the API validates it locally)' }] })}
${textField({ name: 'accessTokenTtl', label: LABELS['accessTokenTtl'] ?? '', value: f.accessTokenTtl, error: o.errors['accessTokenTtl'], short: true, hint: 'Seconds; empty: 5 minutes for JWT (an API validating locally never sees a revocation), the application\'s lifetime for opaque.' })}
${selectField({ name: 'introspectionClientId', label: LABELS['introspectionClientId'] ?? '', value: f.introspectionClientId, error: o.errors['introspectionClientId'], hint: 'The application the API authenticates as to introspect the tokens issued for it.', options: [{ value: '', label: 'None' }, ...o.clients.map((c) => ({ value: c.id, label: `${c.name} (${c.id})` }))] })}
${choiceGroup({ name: 'dpopBoundAccessTokensRequired', legend: LABELS['dpopBoundAccessTokensRequired'] ?? '', type: 'checkbox', choices: [{ value: 'true', label: 'Require DPoP: access tokens for this API are always bound to the application\'s key (RFC 9449)', hint: 'A token request for it without a DPoP proof is refused. Tick it when the API accepts only DPoP-bound tokens.' }], selected: f.dpopBoundAccessTokensRequired ? ['true'] : [], error: o.errors['dpopBoundAccessTokensRequired'] })}`;
}

export function resourcesPage(o: FormOptions & { resources: readonly ResourceView[]; csrf: string; notice?: string | undefined; message?: string | undefined }): SafeHtml {
  const rows = o.resources.map(
    (r) => html`<tr>
<td><a href="/console/resources/edit?id=${encodeURIComponent(r.id)}">${r.name}</a></td>
<td><code>${r.id}</code></td>
<td>${r.accessTokenFormat}</td>
<td>${r.scopes.join(' ')}</td>
</tr>\n`,
  );
  return html`<div class="lk-page-head"><h1>Resources (APIs)</h1></div>
${o.notice ? html`<p class="lk-notice" role="status">${o.notice}</p>` : ''}
<section class="lk-panel">
<p>An API that access tokens are issued for. Clients name it with the resource parameter (RFC 8707); its tokens carry
it as their audience and only its scopes, and the consent page names it.</p>
${table({ caption: 'Resources', head: ['Name', 'Identifier', 'Format', 'Scopes'], rows, empty: 'No resources yet: tokens carry no audience until you add one.' })}
</section>
<form method="post" action="/console/resources" class="lk-panel" aria-labelledby="create-heading" novalidate>
<h2 id="create-heading">Add a resource</h2>
${errorSummary(o.errors, LABELS, o.message)}
${csrfInput(o.csrf)}
${fields(o)}
<div class="lk-actions"><button type="submit" class="lk-button">Add resource</button></div>
</form>`;
}

export function resourceEditPage(o: FormOptions & { resource: ResourceView; csrf: string; message?: string | undefined }): SafeHtml {
  return html`<div class="lk-page-head"><h1>${o.resource.name}</h1><a href="/console/resources">All resources</a></div>
<p><code>${o.resource.id}</code></p>
<form method="post" action="/console/resources/edit" class="lk-panel" novalidate>
${errorSummary(o.errors, LABELS, o.message)}
${csrfInput(o.csrf)}
${fields(o)}
<div class="lk-actions"><button type="submit" class="lk-button">Save</button></div>
</form>
<section class="lk-panel">
<h2>Delete</h2>
<p>The access tokens issued for it are revoked; a refresh asking for it is refused (invalid_target).</p>
${postButton({ action: '/console/resources/delete', csrf: o.csrf, text: 'Delete resource', danger: true, hidden: { id: o.resource.id } })}
</section>`;
}
