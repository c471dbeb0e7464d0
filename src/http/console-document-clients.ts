import type { FastifyInstance } from 'fastify';
import { setDocumentClientDisabled } from '../admin/document-clients.ts';
import { attempt, type ConsoleKit, PAGE, withNotice } from './console-kit.ts';

/** Disable / Enable of a client made from its Client ID Metadata Document (admin/document-clients.ts). */
export function registerDocumentClientPages(app: FastifyInstance, kit: ConsoleKit): void {
  for (const [path, disabled] of [['disable-document', true], ['enable-document', false]] as const) {
    app.post<{ Params: { id: string } }>(`/console/applications/:id/${path}`, PAGE, kit.page<{ id: string }>(async (req, reply, p) => {
      const target = `/console/applications/${encodeURIComponent(req.params.id)}`;
      const outcome = await attempt(() => setDocumentClientDisabled(p.ctx, req.params.id, disabled));
      if ('errors' in outcome) return reply.redirect(target, 303);
      return reply.redirect(withNotice(target, disabled ? 'document-client-disabled' : 'document-client-enabled'), 303);
    }));
  }
}
