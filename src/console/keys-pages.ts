import type { FastifyInstance } from 'fastify';
import type { AdminDeps } from '../admin/context.ts';
import { parseOr422 } from '../admin/errors.ts';
import { listSigningKeys, retireSigningKey, rotateSigningKeys, signingKeyRotate } from '../admin/keys.ts';
import { keysPage } from './views/keys.ts';
import { type ConsoleKit, noticeFrom, PAGE, withNotice } from './kit.ts';

/** The console's signing keys page (README, Signing keys): the same operations as the admin API and `latchkey keys`. */

const KEY_NOTICES: Readonly<Record<string, string>> = {
  'keys-rotated': 'The new key is published; it signs from the time shown.',
  'key-retired': 'The key no longer signs.',
  'key-unpublished': 'The key is no longer published: tokens it signed no longer validate.',
};

type KidParams = { kid: string };

export function registerKeyPages(app: FastifyInstance, deps: AdminDeps, kit: ConsoleKit): void {
  const jwksUrl = deps.config.issuer + deps.config.paths.jwks;

  app.get('/console/keys', PAGE, kit.page(async (req, _reply, p) => {
    const { items } = await listSigningKeys(p.ctx);
    return p.render({ title: 'Signing keys', current: '/console/keys', body: keysPage({ keys: items, csrf: p.csrf, jwksUrl, notice: noticeFrom(req.query, KEY_NOTICES) }) });
  }));

  app.post('/console/keys/rotate', PAGE, kit.page(async (_req, reply, p) => {
    const alg = p.form.get('alg');
    await rotateSigningKeys(p.ctx, parseOr422(signingKeyRotate, { ...(alg ? { alg } : {}), now: p.form.get('now') === 'yes' }));
    return reply.redirect(withNotice('/console/keys', 'keys-rotated'), 303);
  }));

  app.post<{ Params: KidParams }>('/console/keys/:kid/retire', PAGE, kit.page<KidParams>(async (req, reply, p) => {
    const unpublish = p.form.get('unpublish') === 'yes';
    await retireSigningKey(p.ctx, req.params.kid, { unpublish });
    return reply.redirect(withNotice('/console/keys', unpublish ? 'key-unpublished' : 'key-retired'), 303);
  }));
}
