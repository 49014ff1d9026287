import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { QueuedRecipient } from '../../db/repositories/outbound-queue.js';
import { notFound } from '../../domain/errors.js';
import { describeNextAttempt } from '../../domain/retry-schedule.js';
import { formatBytes } from '../../domain/size.js';
import { paginate, redirectWithFlash, renderPage } from '../render.js';
import { requireLogin } from '../sessions.js';
import { attempt } from './account-area.js';
import type { RouteOptions } from './index.js';

const idParams = z.object({ id: z.coerce.number().int().positive() });

/** The queue row a URL names; anything that is not a queue id is "not found". */
const idOf = (request: FastifyRequest): number => {
  const parsed = idParams.safeParse(request.params);
  if (!parsed.success) throw notFound('queued recipient', String((request.params as { id?: unknown }).id));
  return parsed.data.id;
};

const sender = (row: QueuedRecipient) => (row.sender === '' ? '<> (a bounce)' : row.sender);

function rowView(row: QueuedRecipient, now: Date) {
  return {
    id: row.id,
    sender: sender(row),
    recipient: row.recipient,
    attempts: row.attempts,
    nextAttempt: describeNextAttempt(row, now),
    lastError: row.lastError,
    size: formatBytes(row.size),
    canRetry: row.state === 'queued',
    retryAction: `/queue/${row.id}/retry`,
    deleteHref: `/queue/${row.id}/delete`,
  };
}

/** The admin's view of the outbound queue: every waiting recipient, "retry now" and delete (after a confirm page). */
export const queueRoutes: FastifyPluginAsync<RouteOptions> = async (app, { services, secureCookies }) => {
  const adminOnly = requireLogin('admin');

  app.get('/queue', { preHandler: adminOnly }, async (request, reply) => {
    const now = new Date();
    const page = paginate(services.queue.list(), (request.query as { page?: unknown } | undefined)?.page);
    return renderPage(request, reply, 'queue/list.eta', {
      title: 'Outbound queue',
      rows: page.items.map((row) => rowView(row, now)),
      pagination: { page: page.page, pages: page.pages, total: page.total, base: '/queue', query: '' },
    });
  });

  app.post('/queue/retry', { preHandler: adminOnly }, async (_request, reply) => {
    const count = services.queue.retry(null);
    const message = count === 0 ? 'Nothing to retry: every queued recipient is already due.' : `${count} recipient${count === 1 ? ' is' : 's are'} due now.`;
    return redirectWithFlash(reply, '/queue', message, secureCookies);
  });

  app.post('/queue/:id/retry', { preHandler: adminOnly }, async (request, reply) => {
    const id = idOf(request);
    const result = await attempt(() => services.queue.retry(id));
    const message = 'refusal' in result ? result.refusal.message : `#${id} is due now and will be tried at once.`;
    return redirectWithFlash(reply, '/queue', message, secureCookies);
  });

  app.get('/queue/:id/delete', { preHandler: adminOnly }, async (request, reply) => {
    const row = services.queue.find(idOf(request));
    return renderPage(request, reply, 'queue/delete.eta', {
      title: `Delete #${row.id}`,
      confirm: {
        heading: `Delete the message to ${row.recipient}?`,
        message: `From ${sender(row)}, ${formatBytes(row.size)}, ${row.attempts} attempt${row.attempts === 1 ? '' : 's'} so far. It will not be delivered and the sender gets no bounce.`,
        consequences: [],
        action: `/queue/${row.id}/delete`,
        submitLabel: 'Delete',
        cancelHref: '/queue',
        csrfToken: request.csrfToken,
      },
    });
  });

  app.post('/queue/:id/delete', { preHandler: adminOnly }, async (request, reply) => {
    const removed = services.queue.remove(idOf(request));
    return redirectWithFlash(reply, '/queue', `Deleted #${removed.id}, the message to ${removed.recipient}.`, secureCookies);
  });
};
