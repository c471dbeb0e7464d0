import type { FastifyInstance } from 'fastify';
import * as apps from '../admin/applications.ts';
import type { AdminContext, AdminDeps } from '../admin/context.ts';
import * as dir from '../admin/directory.ts';
import { parseOr422 } from '../admin/errors.ts';
import { applicationSchemasFor, passwordReset, secretRotation, userCreate, userUpdate } from '../admin/schemas.ts';
import * as users from '../admin/users.ts';
import { html } from '../interaction/html.ts';
import {
  applicationCreatePage,
  applicationDetailPage,
  applicationListPage,
  confirmPage,
  EMPTY_APPLICATION_FORM,
  formFromApplication,
  type ApplicationForm,
  type ApplicationFormContext,
} from './views/applications.ts';
import { rotateSecretPage } from './views/secret-rotation.ts';
import { userCreatePage, userDetailPage, userListPage, type UserForm } from './views/users.ts';
import { claimErrors, claimsFormFrom, claimsFormOf, claimsPatchOf } from '../interaction/views/claims-fields.ts';
import { oidcInput } from './views/application-oidc.ts';
import { authInput } from './views/application-auth.ts';
import { tokenExchangeErrors, tokenExchangeFormOf, tokenExchangeInput } from './views/application-token-exchange.ts';
import { listResources } from '../admin/resources.ts';
import { attempt, type ConsoleKit, type ConsolePage, type FormReader, noticeFrom, orNull, PAGE, readForm, ttlValue, withNotice } from './kit.ts';

/** The console's application and user pages. */

type IdParams = { id: string };

function applicationForm(f: FormReader): ApplicationForm {
  return {
    id: f.get('id').trim(),
    name: f.get('name'),
    type: f.get('type') || 'confidential',
    redirectUris: f.get('redirectUris'),
    grantTypes: f.all('grantTypes'),
    responseTypes: f.all('responseTypes'),
    scopes: f.all('scopes'),
    accessTokenTtl: f.get('accessTokenTtl'),
    refreshTokenTtl: f.get('refreshTokenTtl'),
    codeTtl: f.get('codeTtl'),
    requirePkce: f.get('requirePkce') || 'default',
    introspectAny: f.get('introspectAny') === 'true',
    requirePushedAuthorizationRequests: f.get('requirePushedAuthorizationRequests') || 'default',
    requireSignedRequestObject: f.get('requireSignedRequestObject') || 'default',
    dpopBoundAccessTokens: f.get('dpopBoundAccessTokens') === 'true',
    oidc: {
      idTokenSignedResponseAlg: f.get('idTokenSignedResponseAlg') || 'default',
      userinfoSignedResponseAlg: f.get('userinfoSignedResponseAlg') || 'json',
      subjectType: f.get('subjectType') || 'public',
      defaultMaxAge: f.get('defaultMaxAge'),
      postLogoutRedirectUris: f.get('postLogoutRedirectUris'),
      backchannelLogoutUri: f.get('backchannelLogoutUri'),
      backchannelLogoutSessionRequired: f.get('backchannelLogoutSessionRequired') || 'no',
    },
    auth: {
      tokenEndpointAuthMethod: f.get('tokenEndpointAuthMethod') || 'default',
      jwks: f.get('jwks'),
      jwksUri: f.get('jwksUri'),
      tokenEndpointAuthSigningAlg: f.get('tokenEndpointAuthSigningAlg') || 'default',
    },
    tokenExchange: tokenExchangeFormOf(f),
  };
}

function applicationInput(form: ApplicationForm, creating = false): Record<string, unknown> {
  // The console's three-way choices (PKCE, PAR, signed request objects): the server default, yes or no.
  const choice: Record<string, boolean | null> = { default: null, yes: true, no: false };
  return {
    name: form.name,
    redirectUris: form.redirectUris.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== ''),
    grantTypes: form.grantTypes,
    // Without the implicit grant the form sends response type code hidden: it follows the authorization_code grant, as
    // in the CLI, so an application with other grants only (token exchange, client credentials) can be made here.
    responseTypes: form.grantTypes.includes('authorization_code') ? form.responseTypes : form.responseTypes.filter((rt) => rt !== 'code'),
    scopes: form.scopes,
    accessTokenTtl: ttlValue(form.accessTokenTtl),
    refreshTokenTtl: ttlValue(form.refreshTokenTtl),
    codeTtl: ttlValue(form.codeTtl),
    requirePkce: form.requirePkce in choice ? choice[form.requirePkce] : form.requirePkce,
    introspectAny: form.introspectAny,
    requirePushedAuthorizationRequests: form.requirePushedAuthorizationRequests in choice ? choice[form.requirePushedAuthorizationRequests] : form.requirePushedAuthorizationRequests,
    requireSignedRequestObject: form.requireSignedRequestObject in choice ? choice[form.requireSignedRequestObject] : form.requireSignedRequestObject,
    dpopBoundAccessTokens: form.dpopBoundAccessTokens,
    ...oidcInput(form.oidc),
    ...authInput(form.auth, creating),
    ...tokenExchangeInput(form.tokenExchange),
  };
}

function userForm(f: FormReader): UserForm {
  return { username: f.get('username').trim(), name: f.get('name'), email: f.get('email').trim(), isAdmin: f.get('isAdmin') === 'true' };
}

export function registerApplicationPages(app: FastifyInstance, deps: AdminDeps, kit: ConsoleKit): void {
  const page = PAGE;
  const { config } = deps;

  const formContext = async (ctx: AdminContext): Promise<ApplicationFormContext> => ({
    scopes: await dir.listScopes(ctx),
    implicit: config.features.implicit,
    defaults: { accessTokenTtl: config.tokens.accessTokenTtl, refreshTokenTtl: config.tokens.refreshTokenTtl, codeTtl: config.tokens.codeTtl },
    idTokenAlg: config.oidc.defaultIdTokenAlg,
    resources: (await listResources(ctx)).items,
  });

  // Applications

  app.get('/console/applications', page, kit.page(async (req, _reply, p) => {
    const q = readForm(req.query);
    const result = await apps.listApplications(p.ctx, q.get('q') || undefined, 20, q.get('cursor') || undefined);
    return p.render({ title: 'Applications', current: '/console/applications', body: applicationListPage({ ...result, q: q.get('q'), onLaterPage: q.has('cursor'), notice: noticeFrom(req.query) }) });
  }));

  app.get('/console/applications/new', page, kit.page(async (_req, _reply, p) =>
    p.render({ title: 'New application', current: '/console/applications', body: applicationCreatePage({ form: EMPTY_APPLICATION_FORM, errors: {}, csrf: p.csrf, context: await formContext(p.ctx) }) }),
  ));

  app.post('/console/applications', page, kit.page(async (_req, _reply, p) => {
    const form = applicationForm(p.form);
    const outcome = await attempt(() =>
      apps.createApplication(p.ctx, parseOr422(applicationSchemasFor(deps.config.issuer).create, { ...applicationInput(form, true), type: form.type, ...(form.id ? { id: form.id } : {}) })),
    );
    if ('errors' in outcome) {
      return p.render({ title: 'New application', current: '/console/applications', status: outcome.status, body: applicationCreatePage({ form, errors: tokenExchangeErrors(outcome.errors), message: outcome.message, csrf: p.csrf, context: await formContext(p.ctx) }) });
    }
    const { application, clientSecret } = outcome.ok;
    // Shown in this response only (post, no redirect); the script then points a reload at the plain detail page.
    return p.render({
      title: application.name,
      current: '/console/applications',
      status: 201,
      canonical: `/console/applications/${encodeURIComponent(application.id)}`,
      body: applicationDetailPage({
        app: application,
        form: formFromApplication(application),
        errors: {},
        csrf: p.csrf,
        context: await formContext(p.ctx),
        notice: 'The application was created.',
        secret: clientSecret === undefined ? undefined : { value: clientSecret, rotated: false },
      }),
    });
  }));

  app.get<{ Params: IdParams }>('/console/applications/:id', page, kit.page<IdParams>(async (req, _reply, p) => {
    const application = apps.applicationView(await apps.findApplication(p.ctx, req.params.id), deps);
    return p.render({
      title: application.name,
      current: '/console/applications',
      body: applicationDetailPage({ app: application, form: formFromApplication(application), errors: {}, csrf: p.csrf, context: await formContext(p.ctx), notice: noticeFrom(req.query) }),
    });
  }));

  app.post<{ Params: IdParams }>('/console/applications/:id', page, kit.page<IdParams>(async (req, reply, p) => {
    const form = applicationForm(p.form);
    const outcome = await attempt(() => apps.updateApplication(p.ctx, req.params.id, parseOr422(applicationSchemasFor(deps.config.issuer).update, applicationInput(form))));
    if ('errors' in outcome) {
      const application = apps.applicationView(await apps.findApplication(p.ctx, req.params.id), deps);
      return p.render({
        title: application.name,
        current: '/console/applications',
        status: outcome.status,
        body: applicationDetailPage({ app: application, form: { ...form, id: application.id, type: application.type }, errors: tokenExchangeErrors(outcome.errors), message: outcome.message, csrf: p.csrf, context: await formContext(p.ctx) }),
      });
    }
    return reply.redirect(withNotice(`/console/applications/${encodeURIComponent(req.params.id)}`, 'saved'), 303);
  }));

  app.get<{ Params: IdParams }>('/console/applications/:id/rotate', page, kit.page<IdParams>(async (req, _reply, p) => {
    const a = apps.applicationView(await apps.findApplication(p.ctx, req.params.id), deps);
    return p.render({ title: 'Rotate secret', current: '/console/applications', body: rotateSecretPage({ app: a, csrf: p.csrf, graceSeconds: '0', errors: {} }) });
  }));

  app.post<{ Params: IdParams }>('/console/applications/:id/rotate', page, kit.page<IdParams>(async (req, _reply, p) => {
    const typed = p.form.get('graceSeconds').trim();
    const outcome = await attempt(async () => parseOr422(secretRotation, { graceSeconds: /^[0-9]{1,7}$/.test(typed) ? Number(typed) : typed || undefined }));
    if ('errors' in outcome) {
      const a = apps.applicationView(await apps.findApplication(p.ctx, req.params.id), deps);
      return p.render({ title: 'Rotate secret', current: '/console/applications', status: outcome.status, body: rotateSecretPage({ app: a, csrf: p.csrf, graceSeconds: typed, errors: outcome.errors }) });
    }
    const { application, clientSecret } = await apps.rotateSecret(p.ctx, req.params.id, outcome.ok.graceSeconds);
    return p.render({
      title: application.name,
      current: '/console/applications',
      canonical: `/console/applications/${encodeURIComponent(application.id)}`,
      body: applicationDetailPage({ app: application, form: formFromApplication(application), errors: {}, csrf: p.csrf, context: await formContext(p.ctx), secret: { value: clientSecret, rotated: true } }),
    });
  }));

  app.get<{ Params: IdParams }>('/console/applications/:id/delete', page, kit.page<IdParams>(async (req, _reply, p) => {
    const a = await apps.findApplication(p.ctx, req.params.id);
    const path = `/console/applications/${encodeURIComponent(a.id)}`;
    return p.render({
      title: 'Delete application',
      current: '/console/applications',
      body: confirmPage({
        heading: `Delete ${a.name}?`,
        text: html`<p>The application <code>${a.id}</code> will no longer be able to sign anyone in. Every token it holds is revoked and every consent given to it forgotten. This cannot be undone.</p>`,
        action: `${path}/delete`,
        csrf: p.csrf,
        button: 'Delete application',
        cancel: path,
        danger: true,
      }),
    });
  }));

  app.post<{ Params: IdParams }>('/console/applications/:id/delete', page, kit.page<IdParams>(async (req, reply, p) => {
    await apps.deleteApplication(p.ctx, req.params.id);
    return reply.redirect(withNotice('/console/applications', 'application-deleted'), 303);
  }));

  for (const [path, disabled] of [['disable', true], ['enable', false]] as const) {
    app.post<{ Params: IdParams }>(`/console/applications/:id/${path}`, page, kit.page<IdParams>(async (req, reply, p) => {
      await apps.setApplicationDisabled(p.ctx, req.params.id, disabled);
      return reply.redirect(withNotice(`/console/applications/${encodeURIComponent(req.params.id)}`, `application-${path}d`), 303);
    }));
  }

  // Users

  app.get('/console/users', page, kit.page(async (req, _reply, p) => {
    const q = readForm(req.query);
    const result = await users.listUsers(p.ctx, q.get('q') || undefined, 20, q.get('cursor') || undefined);
    return p.render({ title: 'Users', current: '/console/users', body: userListPage({ ...result, q: q.get('q'), onLaterPage: q.has('cursor'), notice: noticeFrom(req.query) }) });
  }));

  app.get('/console/users/new', page, kit.page(async (_req, _reply, p) =>
    p.render({ title: 'New user', current: '/console/users', body: userCreatePage({ form: { username: '', name: '', email: '', isAdmin: false }, errors: {}, csrf: p.csrf }) }),
  ));

  const userPage = async (p: ConsolePage, id: string, extra: Partial<Parameters<typeof userDetailPage>[0]> & { status?: number; canonical?: string } = {}) => {
    const user = users.userView(await users.findUser(p.ctx, id), deps);
    const [sessions, grants] = await Promise.all([dir.listSessions(p.ctx, id, 100, undefined), dir.listGrants(p.ctx, { userId: id, activeOnly: true }, 100, undefined)]);
    const { status, canonical, ...view } = extra;
    return p.render({
      title: user.username,
      current: '/console/users',
      ...(status === undefined ? {} : { status }),
      ...(canonical === undefined ? {} : { canonical }),
      body: userDetailPage({
        user,
        form: { username: user.username, name: user.name ?? '', email: user.email ?? '', isAdmin: user.isAdmin },
        claimsForm: claimsFormOf(user.claims),
        errors: {},
        csrf: p.csrf,
        sessions: sessions.items,
        grants: grants.items,
        self: user.id === p.ctx.actor.userId,
        ...view,
      }),
    });
  };

  app.post('/console/users', page, kit.page(async (_req, _reply, p) => {
    const form = userForm(p.form);
    const password = p.form.get('password');
    const outcome = await attempt(() =>
      users.createUser(p.ctx, parseOr422(userCreate, { username: form.username, name: orNull(form.name), email: orNull(form.email), isAdmin: form.isAdmin, ...(password ? { password } : {}) })),
    );
    if ('errors' in outcome) {
      return p.render({ title: 'New user', current: '/console/users', status: outcome.status, body: userCreatePage({ form, errors: outcome.errors, message: outcome.message, csrf: p.csrf }) });
    }
    return userPage(p, outcome.ok.user.id, {
      status: 201,
      canonical: `/console/users/${encodeURIComponent(outcome.ok.user.id)}`,
      notice: 'The user was created.',
      generatedPassword: outcome.ok.password,
    });
  }));

  app.get<{ Params: IdParams }>('/console/users/:id', page, kit.page<IdParams>(async (req, _reply, p) => userPage(p, req.params.id, { notice: noticeFrom(req.query) })));

  app.post<{ Params: IdParams }>('/console/users/:id', page, kit.page<IdParams>(async (req, reply, p) => {
    const form = userForm(p.form);
    const claimsForm = claimsFormFrom(p.form.get, true);
    const outcome = await attempt(() =>
      users.updateUser(p.ctx, req.params.id, parseOr422(userUpdate, { name: orNull(form.name), email: orNull(form.email), isAdmin: form.isAdmin, claims: claimsPatchOf(claimsForm, true) })),
    );
    if ('errors' in outcome) return userPage(p, req.params.id, { form, claimsForm, errors: claimErrors(outcome.errors), message: outcome.message, status: outcome.status });
    return reply.redirect(withNotice(`/console/users/${encodeURIComponent(req.params.id)}`, 'saved'), 303);
  }));

  app.post<{ Params: IdParams }>('/console/users/:id/reset-password', page, kit.page<IdParams>(async (req, reply, p) => {
    const password = p.form.get('password');
    const outcome = await attempt(() => users.resetPassword(p.ctx, req.params.id, parseOr422(passwordReset, password ? { password } : {})));
    if ('errors' in outcome) return userPage(p, req.params.id, { passwordError: outcome.errors['password'] ?? outcome.message, status: outcome.status });
    if (outcome.ok.password === undefined) return reply.redirect(withNotice(`/console/users/${encodeURIComponent(req.params.id)}`, 'password-reset'), 303);
    return userPage(p, req.params.id, { generatedPassword: outcome.ok.password, notice: 'The password was changed and the user’s sessions ended.', canonical: `/console/users/${encodeURIComponent(req.params.id)}` });
  }));

  const userAction = (path: string, run: (ctx: AdminContext, id: string) => Promise<unknown>, notice: string, after?: (id: string) => string) =>
    app.post<{ Params: IdParams }>(`/console/users/:id/${path}`, page, kit.page<IdParams>(async (req, reply, p) => {
      const outcome = await attempt(() => run(p.ctx, req.params.id));
      if ('errors' in outcome) return userPage(p, req.params.id, { message: outcome.message ?? Object.values(outcome.errors)[0], status: outcome.status });
      return reply.redirect(withNotice(after ? after(req.params.id) : `/console/users/${encodeURIComponent(req.params.id)}`, notice), 303);
    }));
  userAction('disable', users.disableUser, 'user-disabled');
  userAction('enable', users.enableUser, 'user-enabled');
  userAction('end-sessions', dir.endUserSessions, 'sessions-ended');
  userAction('delete', users.deleteUser, 'user-deleted', () => '/console/users');

  app.get<{ Params: IdParams }>('/console/users/:id/delete', page, kit.page<IdParams>(async (req, _reply, p) => {
    const u = await users.findUser(p.ctx, req.params.id);
    const path = `/console/users/${encodeURIComponent(u.id)}`;
    return p.render({
      title: 'Delete user',
      current: '/console/users',
      body: confirmPage({
        heading: `Delete ${u.username}?`,
        text: html`<p>Their sessions end, every token they hold is revoked, and their consents are forgotten. This cannot be undone; to keep the account for later, disable it instead.</p>`,
        action: `${path}/delete`,
        csrf: p.csrf,
        button: 'Delete user',
        cancel: path,
        danger: true,
      }),
    });
  }));
}
