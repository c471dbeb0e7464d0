import type { FastifyInstance } from 'fastify';
import type { AdminDeps } from '../admin/context.ts';
import { invalidFields, parseOr422 } from '../admin/errors.ts';
import * as ops from '../admin/trusted-issuers.ts';
import {
  EMPTY_TRUSTED_ISSUER_FORM,
  trustedIssuerEditPage,
  trustedIssuerForm,
  trustedIssuersPage,
  type TrustedIssuerForm,
} from './views/trusted-issuers.ts';
import { attempt, type ConsoleKit, type ConsolePage, type FormReader, noticeFrom, orNull, PAGE, withNotice } from './kit.ts';

/** The console's trusted issuers pages: the same operations as the admin API and `latchkey trusted-issuers`. */

const NOTICES: Readonly<Record<string, string>> = {
  'trusted-issuer-saved': 'The trusted issuer was saved.',
  'trusted-issuer-deleted': 'The trusted issuer was deleted: its JWTs are refused from now on.',
};

const readForm = (f: FormReader): TrustedIssuerForm => ({
  issuer: f.get('issuer').trim(),
  name: f.get('name'),
  jwks: f.get('jwks'),
  jwksUri: f.get('jwksUri'),
  userClaim: f.get('userClaim').trim(),
  userBy: f.get('userBy'),
});

/** The pasted JSON, parsed; anything else is a field error rather than a 500. */
function pastedJwks(text: string): unknown {
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalidFields({ jwks: 'paste the JWK Set as JSON: {"keys": [...]}' });
  }
}

/** The form's strings as the API's JSON body. */
const body = (f: TrustedIssuerForm) => ({
  ...(f.name.trim() === '' ? {} : { name: f.name.trim() }),
  jwks: pastedJwks(f.jwks),
  jwksUri: orNull(f.jwksUri),
  userClaim: f.userClaim,
  userBy: f.userBy,
});

/** A refused private key is not shown again: a page never carries a secret. */
const shownAgain = (f: TrustedIssuerForm, errors: Record<string, string>): TrustedIssuerForm =>
  /private or secret key/.test(errors['jwks'] ?? '') ? { ...f, jwks: '' } : f;

export function registerTrustedIssuerPages(app: FastifyInstance, _deps: AdminDeps, kit: ConsoleKit): void {
  const CURRENT = '/console/trusted-issuers';
  const list = async (p: ConsolePage, o: { form?: TrustedIssuerForm; errors?: Record<string, string>; message?: string | undefined; status?: number; notice?: string | undefined }) =>
    p.render({
      title: 'Trusted issuers',
      current: CURRENT,
      status: o.status ?? 200,
      body: trustedIssuersPage({ issuers: (await ops.listTrustedIssuers(p.ctx)).items, form: o.form ?? EMPTY_TRUSTED_ISSUER_FORM, errors: o.errors ?? {}, editing: false, csrf: p.csrf, notice: o.notice, message: o.message }),
    });

  app.get(CURRENT, PAGE, kit.page(async (req, _reply, p) => list(p, { notice: noticeFrom(req.query, NOTICES) })));

  app.post(CURRENT, PAGE, kit.page(async (_req, reply, p) => {
    const form = readForm(p.form);
    const outcome = await attempt(async () => ops.createTrustedIssuer(p.ctx, parseOr422(ops.trustedIssuerCreate, { issuer: form.issuer, ...body(form) })));
    if ('errors' in outcome) return list(p, { form: shownAgain(form, outcome.errors), errors: outcome.errors, status: outcome.status, message: outcome.message });
    return reply.redirect(withNotice(CURRENT, 'trusted-issuer-saved'), 303);
  }));

  // The issuer is usually a URL, so it travels in the query and in a hidden field rather than as a path segment.
  app.get(`${CURRENT}/edit`, PAGE, kit.page(async (req, _reply, p) => {
    const trusted = ops.toTrustedIssuerView(await ops.findTrustedIssuer(p.ctx, String((req.query as Record<string, unknown>)['issuer'] ?? '')), p.ctx);
    return p.render({ title: trusted.name, current: CURRENT, body: trustedIssuerEditPage({ trusted, form: trustedIssuerForm(trusted), errors: {}, editing: true, csrf: p.csrf }) });
  }));

  app.post(`${CURRENT}/edit`, PAGE, kit.page(async (_req, reply, p) => {
    const form = readForm(p.form);
    const trusted = ops.toTrustedIssuerView(await ops.findTrustedIssuer(p.ctx, form.issuer), p.ctx);
    const outcome = await attempt(async () => ops.replaceTrustedIssuer(p.ctx, form.issuer, parseOr422(ops.trustedIssuerReplace, body(form))));
    if ('errors' in outcome) {
      const page = trustedIssuerEditPage({ trusted, form: shownAgain(form, outcome.errors), errors: outcome.errors, message: outcome.message, editing: true, csrf: p.csrf });
      return p.render({ title: trusted.name, current: CURRENT, status: outcome.status, body: page });
    }
    return reply.redirect(withNotice(CURRENT, 'trusted-issuer-saved'), 303);
  }));

  app.post(`${CURRENT}/delete`, PAGE, kit.page(async (_req, reply, p) => {
    await ops.deleteTrustedIssuer(p.ctx, p.form.get('issuer'));
    return reply.redirect(withNotice(CURRENT, 'trusted-issuer-deleted'), 303);
  }));
}
