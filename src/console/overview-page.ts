import type { FastifyInstance } from 'fastify';
import { overview } from '../admin/overview.ts';
import { overviewPage } from './views/overview.ts';
import { type ConsoleKit, PAGE } from './kit.ts';

/** The console's overview (first in its navigation): the last 24 hours and 7 days at a glance. */
export function registerOverviewPage(app: FastifyInstance, kit: ConsoleKit): void {
  app.get('/console/overview', PAGE, kit.page(async (_req, _reply, p) => p.render({ title: 'Overview', current: '/console/overview', body: overviewPage(await overview(p.ctx)) })));
}
