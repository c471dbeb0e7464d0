import type { FastifyInstance } from 'fastify';
import type { AdminDeps } from '../admin/context.ts';
import { credentialKey } from '../core/crypto.ts';
import { cookieJar } from '../http/cookies.ts';
import * as dir from '../admin/directory.ts';
import { AdminError, parseOr422 } from '../admin/errors.ts';
import { auditQuery, parseTime, scopeSave, tokenSettingsUpdate } from '../admin/schemas.ts';
import { TOKEN_SETTING_NAMES } from '../admin/settings.ts';
import { auditPage, grantsPage, scopeEditPage, scopesPage, sessionsPage, settingsPage, type ScopeForm } from './views/directory.ts';
import { attempt, backTo, type ConsoleKit, type ConsolePage, type FormReader, noticeFrom, PAGE, readForm, ttlValue, withNotice } from './kit.ts';

/** The console's pages for scopes, token settings, grants and sessions, and the audit log. */

type IdParams = { id: string };

export function registerDirectoryPages(app: FastifyInstance, deps: AdminDeps, kit: ConsoleKit): void {
  const page = PAGE;
  const sessionCookie = cookieJar(deps.config).names.session;

  // Scopes

  const scopeForm = (f: FormReader): ScopeForm => ({ name: f.get('name').trim(), description: f.get('description'), claims: f.all('claims') });
  const scopeList = async (p: ConsolePage, o: { form?: ScopeForm; errors?: Record<string, string>; message?: string | undefined; status?: number; notice?: string | undefined }) =>
    p.render({
      title: 'Scopes',
      current: '/console/scopes',
      ...(o.status === undefined ? {} : { status: o.status }),
      body: scopesPage({ scopes: await dir.listScopes(p.ctx), form: o.form ?? { name: '', description: '', claims: [] }, errors: o.errors ?? {}, message: o.message, csrf: p.csrf, notice: o.notice }),
    });

  app.get('/console/scopes', page, kit.page(async (req, _reply, p) => scopeList(p, { notice: noticeFrom(req.query) })));

  app.post('/console/scopes', page, kit.page(async (_req, reply, p) => {
    const form = scopeForm(p.form);
    const outcome = await attempt(async () => {
      if (form.name === '') throw new AdminError(422, 'invalid_request', 'invalid name', { name: 'enter a name' });
      if ((await dir.listScopes(p.ctx)).some((s) => s.name === form.name)) throw new AdminError(409, 'conflict', 'taken', { name: 'a scope with this name exists; edit it from the list' });
      return dir.saveScope(p.ctx, form.name, parseOr422(scopeSave, { description: form.description, claims: form.claims }));
    });
    if ('errors' in outcome) return scopeList(p, { form, errors: outcome.errors, status: outcome.status, message: outcome.message });
    return reply.redirect(withNotice('/console/scopes', 'scope-saved'), 303);
  }));

  app.get<{ Params: { name: string } }>('/console/scopes/:name', page, kit.page<{ name: string }>(async (req, _reply, p) => {
    const scope = (await dir.listScopes(p.ctx)).find((s) => s.name === req.params.name);
    if (!scope) throw new AdminError(404, 'not_found', 'scope not found');
    return p.render({ title: `Scope ${scope.name}`, current: '/console/scopes', body: scopeEditPage({ scope, form: { ...scope }, errors: {}, csrf: p.csrf }) });
  }));

  app.post<{ Params: { name: string } }>('/console/scopes/:name', page, kit.page<{ name: string }>(async (req, reply, p) => {
    const scope = (await dir.listScopes(p.ctx)).find((s) => s.name === req.params.name);
    if (!scope) throw new AdminError(404, 'not_found', 'scope not found');
    const form = { ...scopeForm(p.form), name: scope.name };
    const outcome = await attempt(() => dir.saveScope(p.ctx, scope.name, parseOr422(scopeSave, { description: form.description, claims: form.claims })));
    if ('errors' in outcome) {
      return p.render({ title: `Scope ${scope.name}`, current: '/console/scopes', status: outcome.status, body: scopeEditPage({ scope, form, errors: outcome.errors, message: outcome.message, csrf: p.csrf }) });
    }
    return reply.redirect(withNotice('/console/scopes', 'scope-saved'), 303);
  }));

  app.post<{ Params: { name: string } }>('/console/scopes/:name/delete', page, kit.page<{ name: string }>(async (req, reply, p) => {
    await dir.deleteScope(p.ctx, req.params.name);
    return reply.redirect(withNotice('/console/scopes', 'scope-deleted'), 303);
  }));

  // Token settings

  const settingsForm = (s: Awaited<ReturnType<typeof dir.tokenSettings>>) =>
    Object.fromEntries(TOKEN_SETTING_NAMES.map((n) => [n, s.overridden.includes(n) ? String(s[n]) : '']));

  app.get('/console/settings', page, kit.page(async (req, _reply, p) => {
    const settings = await dir.tokenSettings(p.ctx);
    return p.render({ title: 'Token settings', current: '/console/settings', body: settingsPage({ settings, form: settingsForm(settings), errors: {}, csrf: p.csrf, notice: noticeFrom(req.query) }) });
  }));

  app.post('/console/settings', page, kit.page(async (_req, reply, p) => {
    const form = Object.fromEntries(TOKEN_SETTING_NAMES.map((n) => [n, p.form.get(n).trim()]));
    // Only what the person changed: the audit log then says what changed, and an untouched form changes nothing.
    const before = settingsForm(await dir.tokenSettings(p.ctx));
    const changed = TOKEN_SETTING_NAMES.filter((n) => form[n] !== before[n]);
    if (changed.length === 0) return reply.redirect(withNotice('/console/settings', 'saved'), 303);
    const outcome = await attempt(() => dir.updateTokenSettings(p.ctx, parseOr422(tokenSettingsUpdate, Object.fromEntries(changed.map((n) => [n, ttlValue(form[n] ?? '')])))));
    if ('errors' in outcome) {
      const settings = await dir.tokenSettings(p.ctx);
      return p.render({ title: 'Token settings', current: '/console/settings', status: outcome.status, body: settingsPage({ settings, form, errors: outcome.errors, message: outcome.message, csrf: p.csrf }) });
    }
    return reply.redirect(withNotice('/console/settings', 'saved'), 303);
  }));

  // Grants and sessions

  app.get('/console/grants', page, kit.page(async (req, _reply, p) => {
    const q = readForm(req.query);
    const filter = { userId: q.get('userId').trim(), clientId: q.get('clientId').trim() };
    const userId = filter.userId ? ((await deps.repos.users.findByUsername(filter.userId))?.id ?? filter.userId) : undefined;
    const result = await dir.listGrants(p.ctx, { userId, clientId: filter.clientId || undefined, activeOnly: true }, 20, q.get('cursor') || undefined);
    return p.render({ title: 'Grants', current: '/console/grants', body: grantsPage({ grants: result.items, filter, nextCursor: result.nextCursor, onLaterPage: q.has('cursor'), csrf: p.csrf, notice: noticeFrom(req.query) }) });
  }));

  app.post<{ Params: IdParams }>('/console/grants/:id/revoke', page, kit.page<IdParams>(async (req, reply, p) => {
    await dir.revokeGrant(p.ctx, req.params.id);
    return reply.redirect(withNotice(backTo(p.form, '/console/grants'), 'grant-revoked'), 303);
  }));

  app.get('/console/sessions', page, kit.page(async (req, _reply, p) => {
    const q = readForm(req.query);
    const result = await dir.listSessions(p.ctx, undefined, 20, q.get('cursor') || undefined);
    // The administrator's own SSO session (the cookie the sign-in pages set, sent here too): marked "this session".
    const own = req.cookies[sessionCookie];
    const current = own ? credentialKey(own) : undefined;
    return p.render({ title: 'Sessions', current: '/console/sessions', body: sessionsPage({ sessions: result.items, nextCursor: result.nextCursor, onLaterPage: q.has('cursor'), csrf: p.csrf, notice: noticeFrom(req.query), current }) });
  }));

  app.post<{ Params: IdParams }>('/console/sessions/:id/revoke', page, kit.page<IdParams>(async (req, reply, p) => {
    await dir.revokeSession(p.ctx, req.params.id);
    return reply.redirect(withNotice(backTo(p.form, '/console/sessions'), 'session-ended'), 303);
  }));

  // The audit log: the filter form's values as the API's query; usernames are accepted where the API takes ids.

  app.get('/console/audit', page, kit.page(async (req, _reply, p) => {
    const q = readForm(req.query);
    const filter: Record<string, string> = {};
    for (const k of ['type', 'actor', 'client', 'user', 'since', 'until']) if (q.get(k).trim() !== '') filter[k] = q.get(k).trim();
    const byName = async (v: string | undefined) => (v === undefined ? undefined : ((await deps.repos.users.findByUsername(v))?.id ?? v));
    const errors: Record<string, string> = {};
    let result: Awaited<ReturnType<typeof dir.listAuditEvents>> = { items: [], nextCursor: null };
    const outcome = await attempt(async () => {
      const parsed = parseOr422(auditQuery, { ...filter, ...(q.get('cursor') ? { cursor: q.get('cursor') } : {}) });
      return dir.listAuditEvents(
        p.ctx,
        {
          type: parsed.type,
          actorUserId: await byName(parsed.actor),
          clientId: parsed.client,
          userId: await byName(parsed.user),
          since: parsed.since === undefined ? undefined : parseTime(parsed.since),
          until: parsed.until === undefined ? undefined : parseTime(parsed.until),
        },
        50,
        parsed.cursor,
      );
    });
    if ('errors' in outcome) Object.assign(errors, outcome.errors);
    else result = outcome.ok;
    return p.render({
      title: 'Audit log',
      current: '/console/audit',
      ...('errors' in outcome ? { status: outcome.status } : {}),
      body: auditPage({ events: result.items, filter, errors, nextCursor: result.nextCursor, onLaterPage: q.has('cursor') }),
    });
  }));
}
