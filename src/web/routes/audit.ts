import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { renderPage } from '../render.js';
import { requireLogin } from '../sessions.js';
import { auditEntryView } from './audit-view.js';
import type { RouteOptions } from './index.js';

const PER_PAGE = 50;
const auditQuery = z.object({ before: z.coerce.number().int().positive().optional() });

/** The audit log: the admin's of everything, an account's of itself and its children, newest first. */
export const auditRoutes: FastifyPluginAsync<RouteOptions> = async (app, { services }) => {
  app.get('/audit', { preHandler: requireLogin('admin', 'account') }, async (request, reply) => {
    const principal = request.principal!;
    const query = auditQuery.safeParse(request.query ?? {});
    const beforeId = query.success ? query.data.before : undefined;
    // One more than a page tells whether an older page exists.
    const entries = services.audit.list(services.access.auditScope(principal), { beforeId, limit: PER_PAGE + 1 });
    const shown = entries.slice(0, PER_PAGE);
    return renderPage(request, reply, 'audit/list.eta', {
      title: 'Audit log',
      entries: shown.map(auditEntryView),
      olderHref: entries.length > PER_PAGE ? `/audit?before=${shown[shown.length - 1]!.id}` : null,
      isFirstPage: beforeId === undefined,
    });
  });
};
