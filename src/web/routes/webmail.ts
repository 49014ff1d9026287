import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { Eta } from 'eta';
import { z } from 'zod';
import { PostyardError } from '../../domain/errors.js';
import { formatBytes } from '../../domain/size.js';
import { contentDisposition } from '../../domain/webmail-download.js';
import { formatMailDate, isMessageId } from '../../domain/webmail-message.js';
import { VIEWS_DIR } from '../../paths.js';
import type { MessageSummary } from '../../services/webmail.js';
import { redirectWithFlash, renderPage } from '../render.js';
import { requireLogin } from '../sessions.js';
import type { RouteOptions } from './index.js';

const messageParams = z.object({ id: z.string().max(100).refine(isMessageId) });
const attachmentParams = messageParams.extend({ index: z.string().regex(/^\d{1,4}$/).transform(Number) });
const messageQuery = z.object({ view: z.enum(['html', 'text']).optional() }).catch({});

/** Anything in the URL that is not a message id of the right form is "not found", before any folder is read. */
function paramsOf<T extends z.ZodType>(schema: T, request: FastifyRequest): z.output<T> {
  const parsed = schema.safeParse(request.params);
  if (!parsed.success) throw new PostyardError('NOT_FOUND', 'There is no such message in this mailbox.');
  return parsed.data;
}

const messageHref = (id: string) => `/webmail/messages/${encodeURIComponent(id)}`;

// The frame's own look; allowed by its hash, so the frame needs no 'unsafe-inline' and the message brings no CSS.
const FRAME_STYLE = 'body{margin:0;padding:.75rem 1rem;font:15px/1.5 system-ui,sans-serif;color:#1d2433;background:#fff;overflow-wrap:anywhere}img{max-width:100%;height:auto}table{max-width:100%}pre{white-space:pre-wrap}';
const FRAME_STYLE_HASH = `'sha256-${createHash('sha256').update(FRAME_STYLE).digest('base64')}'`;

/**
 * Per-response policies, replacing the panel-wide one (helmet's route options):
 * - the message page runs no script at all and frames only the panel's own pages;
 * - the HTML body is a document of its own, sandboxed by its CSP (no script, no same-origin, no forms, whatever
 *   frames it or opens it directly), loading nothing but inline images; links may open a new tab (allow-popups), and
 *   that tab escapes the sandbox so the linked site works normally;
 * - a download is sandboxed too, in case a browser ever renders one instead of saving it.
 */
const MESSAGE_PAGE_POLICY = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { defaultSrc: ["'none'"], styleSrc: ["'self'"], imgSrc: ["'self'", 'data:'], frameSrc: ["'self'"], formAction: ["'self'"], baseUri: ["'none'"], frameAncestors: ["'none'"] },
  },
};
const FRAME_POLICY = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { sandbox: ['allow-popups', 'allow-popups-to-escape-sandbox'], defaultSrc: ["'none'"], imgSrc: ['data:'], styleSrc: [FRAME_STYLE_HASH], formAction: ["'none'"], baseUri: ["'none'"], frameAncestors: ["'self'"] },
  },
  frameguard: { action: 'sameorigin' as const },
};
const DOWNLOAD_POLICY = {
  contentSecurityPolicy: { useDefaults: false, directives: { sandbox: [], defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
};

const rowView = (message: MessageSummary) => ({
  href: messageHref(message.id),
  from: message.from || '(unknown sender)',
  subject: message.subject || '(no subject)',
  date: formatMailDate(message.date),
  size: formatBytes(message.size),
  unread: !message.seen,
});

/**
 * Webmail for mailbox users (/webmail): the inbox, one message, its attachments, delete after a confirm page. Every
 * call goes through services.webmail with the logged-in principal, which refuses anyone but the mailbox's own user.
 */
export const webmailRoutes: FastifyPluginAsync<RouteOptions> = async (app, { services, secureCookies }) => {
  const loggedIn = requireLogin();
  // The body of the sanitised HTML is a page without the panel's layout, so it has its own renderer.
  const frames = new Eta({ views: VIEWS_DIR, cache: true });

  // Mail is private: no copy in a shared browser's or a proxy's cache.
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'private, no-store');
  });

  app.get('/webmail', { preHandler: loggedIn }, async (request, reply) => {
    const page = await services.webmail.list(request.principal!, (request.query as { page?: unknown } | undefined)?.page);
    return renderPage(request, reply, 'webmail/list.eta', {
      title: 'Inbox',
      mailbox: request.principal!.name,
      rows: page.messages.map(rowView),
      unread: page.unread,
      pagination: { page: page.page, pages: page.pages, total: page.total, base: '/webmail', query: '' },
    });
  });

  app.get('/webmail/messages/:id', { preHandler: loggedIn, helmet: MESSAGE_PAGE_POLICY }, async (request, reply) => {
    const { id } = paramsOf(messageParams, request);
    const message = await services.webmail.read(request.principal!, id);
    const wanted = messageQuery.parse(request.query ?? {}).view;
    const showHtml = message.hasHtml && wanted !== 'text';
    const href = messageHref(id);
    return renderPage(request, reply, 'webmail/message.eta', {
      title: message.subject || '(no subject)',
      message: {
        ...message,
        subject: message.subject || '(no subject)',
        date: formatMailDate(message.date),
        size: formatBytes(message.size),
        attachments: message.attachments.map((each) => ({ ...each, href: `${href}/attachments/${each.index}`, size: formatBytes(each.size) })),
      },
      showHtml,
      htmlHref: `${href}/body`,
      viewHtmlHref: href,
      viewTextHref: `${href}?view=text`,
      deleteHref: `${href}/delete`,
    });
  });

  app.get('/webmail/messages/:id/body', { preHandler: loggedIn, helmet: FRAME_POLICY }, async (request, reply) => {
    const { id } = paramsOf(messageParams, request);
    const html = await services.webmail.html(request.principal!, id);
    // The one place a page outputs HTML unescaped: the message's HTML after sanitizeMessageHtml, in a sandboxed frame.
    const document = frames.render('webmail/frame', { style: FRAME_STYLE, html });
    return reply.type('text/html; charset=utf-8').send(document);
  });

  app.get('/webmail/messages/:id/attachments/:index', { preHandler: loggedIn, helmet: DOWNLOAD_POLICY }, async (request, reply) => {
    const { id, index } = paramsOf(attachmentParams, request);
    const attachment = await services.webmail.attachment(request.principal!, id, index);
    return reply
      .type(attachment.contentType)
      .header('content-disposition', contentDisposition(attachment.fileName))
      .header('x-content-type-options', 'nosniff')
      .send(attachment.content);
  });

  app.get('/webmail/messages/:id/delete', { preHandler: loggedIn }, async (request, reply) => {
    const { id } = paramsOf(messageParams, request);
    const message = await services.webmail.summary(request.principal!, id);
    const row = rowView(message);
    return renderPage(request, reply, 'webmail/delete.eta', {
      title: 'Delete message',
      confirm: {
        heading: 'Delete this message?',
        message: `"${row.subject}" from ${row.from}${row.date ? `, ${row.date}` : ''}, ${row.size}. It is removed from the mailbox for good: mail clients (POP3, IMAP) will not see it either.`,
        consequences: [],
        action: `${messageHref(id)}/delete`,
        submitLabel: 'Delete message',
        cancelHref: messageHref(id),
        csrfToken: request.csrfToken,
      },
    });
  });

  app.post('/webmail/messages/:id/delete', { preHandler: loggedIn }, async (request, reply) => {
    const { id } = paramsOf(messageParams, request);
    await services.webmail.remove(request.principal!, id);
    return redirectWithFlash(reply, '/webmail', 'The message was deleted.', secureCookies);
  });
};
