import type { FastifyInstance } from 'fastify';
import type { AdminDeps } from '../admin/context.ts';
import { parseOr422 } from '../admin/errors.ts';
import * as ops from '../admin/resources.ts';
import { EMPTY_RESOURCE_FORM, resourceEditPage, resourceForm, resourcesPage, type ResourceForm } from './views/resources.ts';
import { attempt, type ConsoleKit, type ConsolePage, type FormReader, noticeFrom, orNull, PAGE, ttlValue, withNotice } from './kit.ts';

/** The console's resources (APIs) pages: the same operations as the admin API and `latchkey resources`. */

const NOTICES: Readonly<Record<string, string>> = {
  'resource-saved': 'The resource was saved.',
  'resource-deleted': 'The resource was deleted and the access tokens issued for it revoked.',
};

const readResourceForm = (f: FormReader): ResourceForm => ({
  id: f.get('id').trim(),
  name: f.get('name'),
  scopes: f.get('scopes'),
  accessTokenFormat: f.get('accessTokenFormat'),
  accessTokenTtl: f.get('accessTokenTtl'),
  introspectionClientId: f.get('introspectionClientId'),
  dpopBoundAccessTokensRequired: f.get('dpopBoundAccessTokensRequired') === 'true',
});

/** The form's strings as the API's JSON body. */
const body = (f: ResourceForm) => ({
  name: f.name,
  scopes: f.scopes.split(/\s+/).filter((s) => s !== ''),
  accessTokenFormat: f.accessTokenFormat,
  accessTokenTtl: ttlValue(f.accessTokenTtl),
  introspectionClientId: orNull(f.introspectionClientId),
  dpopBoundAccessTokensRequired: f.dpopBoundAccessTokensRequired,
});

export function registerResourcePages(app: FastifyInstance, deps: AdminDeps, kit: ConsoleKit): void {
  const clients = async () => (await deps.repos.clients.list()).map((c) => ({ id: c.id, name: c.name }));
  const list = async (p: ConsolePage, o: { form?: ResourceForm; errors?: Record<string, string>; message?: string | undefined; status?: number; notice?: string | undefined }) =>
    p.render({
      title: 'Resources (APIs)',
      current: '/console/resources',
      status: o.status ?? 200,
      body: resourcesPage({ resources: (await ops.listResources(p.ctx)).items, form: o.form ?? EMPTY_RESOURCE_FORM, errors: o.errors ?? {}, clients: await clients(), editing: false, csrf: p.csrf, notice: o.notice, message: o.message }),
    });

  app.get('/console/resources', PAGE, kit.page(async (req, _reply, p) => list(p, { notice: noticeFrom(req.query, NOTICES) })));

  app.post('/console/resources', PAGE, kit.page(async (_req, reply, p) => {
    const form = readResourceForm(p.form);
    const outcome = await attempt(() => ops.createResource(p.ctx, parseOr422(ops.resourceCreate, { id: form.id, ...body(form) })));
    if ('errors' in outcome) return list(p, { form, errors: outcome.errors, status: outcome.status, message: outcome.message });
    return reply.redirect(withNotice('/console/resources', 'resource-saved'), 303);
  }));

  // The identifier is a URI, so it travels in the query and in a hidden field rather than as a path segment.
  app.get('/console/resources/edit', PAGE, kit.page(async (req, _reply, p) => {
    const resource = ops.toResourceView(await ops.findResource(p.ctx, String((req.query as Record<string, unknown>)['id'] ?? '')), p.ctx);
    return p.render({ title: resource.name, current: '/console/resources', body: resourceEditPage({ resource, form: resourceForm(resource), errors: {}, clients: await clients(), editing: true, csrf: p.csrf }) });
  }));

  app.post('/console/resources/edit', PAGE, kit.page(async (_req, reply, p) => {
    const form = readResourceForm(p.form);
    const resource = ops.toResourceView(await ops.findResource(p.ctx, form.id), p.ctx);
    const outcome = await attempt(() => ops.updateResource(p.ctx, form.id, parseOr422(ops.resourceUpdate, body(form))));
    if ('errors' in outcome) {
      return p.render({ title: resource.name, current: '/console/resources', status: outcome.status, body: resourceEditPage({ resource, form, errors: outcome.errors, message: outcome.message, clients: await clients(), editing: true, csrf: p.csrf }) });
    }
    return reply.redirect(withNotice('/console/resources', 'resource-saved'), 303);
  }));

  app.post('/console/resources/delete', PAGE, kit.page(async (_req, reply, p) => {
    await ops.deleteResource(p.ctx, p.form.get('id'));
    return reply.redirect(withNotice('/console/resources', 'resource-deleted'), 303);
  }));
}
