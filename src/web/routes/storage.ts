import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Account } from '../../db/repositories/accounts.js';
import type { StorageLimitsInput } from '../../services/mailboxes.js';
import { requireLogin } from '../sessions.js';
import { isChecked, redirectWithFlash, renderPage } from '../render.js';
import { accountBase, accountOf, accountView, attempt } from './account-area.js';
import { showLimit, sizeInputValue, usageView } from './account-views.js';
import type { RouteOptions } from './index.js';

const PER_PAGE = 50;

const pageQuery = z.object({ page: z.coerce.number().int().min(1).catch(1) });

/**
 * The rows of the individual limits form, posted as mailbox-N, quota-N and notify-N (a checkbox is sent only when
 * ticked, so each row carries its own index). The service parses and checks the values.
 */
function postedRows(body: unknown): StorageLimitsInput {
  const posted = (body ?? {}) as Record<string, unknown>;
  const rows: StorageLimitsInput = [];
  for (let index = 0; index < PER_PAGE && typeof posted[`mailbox-${index}`] === 'string'; index++) {
    rows.push({ mailbox: posted[`mailbox-${index}`] as string, quota: String(posted[`quota-${index}`] ?? ''), notifyAt90: isChecked(posted[`notify-${index}`]) });
  }
  return rows;
}

type Posted = { rows: StorageLimitsInput; errors: Record<string, string> };
type DefaultForm = { value: string; error?: string };

/** Storage management (seed 001): the account's total, the default limit of its mailboxes, each mailbox's own limit. */
export const storageRoutes: FastifyPluginAsync<RouteOptions> = async (app, { services, secureCookies }) => {
  const guard = { preHandler: requireLogin('admin', 'account') };
  const storageHref = (account: Account) => `${accountBase(account.username)}/storage`;

  async function renderStorage(request: FastifyRequest, reply: FastifyReply, account: Account, page: number, forms: { posted?: Posted; defaultForm?: DefaultForm } = {}, status = 200) {
    const listing = services.mailboxes.listPage(account.id, { page, perPage: PER_PAGE });
    // After a refusal the rows show what was typed, matched by mailbox name, with each row's message beside it.
    const typed = new Map(forms.posted?.rows.map((row, index) => [row.mailbox, { row, error: forms.posted?.errors[`rows.${index}.quota`] }]));
    const rows = await Promise.all(
      listing.items.map(async (mailbox) => {
        const posted = typed.get(mailbox.name);
        return {
          name: mailbox.name,
          kind: mailbox.kind === 'virtual' ? 'virtual account' : 'POP mailbox',
          usage: usageView(await services.quotas.mailboxUsage(mailbox)),
          quota: posted ? String(posted.row.quota ?? '') : sizeInputValue(mailbox.quotaBytes),
          notifyAt90: posted ? posted.row.notifyAt90 : mailbox.notifyAt90,
          error: posted?.error ?? null,
        };
      }),
    );
    return renderPage(request, reply, 'storage/show.eta', {
      title: 'Storage',
      account: accountView(request, account),
      total: usageView(await services.quotas.accountDiskUsage(account)),
      diskQuota: showLimit(account.diskQuotaBytes),
      defaultLimit: showLimit(account.mailboxQuotaBytes),
      defaultForm: forms.defaultForm ?? { value: sizeInputValue(account.mailboxQuotaBytes) },
      rows,
      page: listing.page,
      formError: forms.posted?.errors.form ?? null,
      pagination: { page: listing.page, pages: listing.pages, total: listing.total, base: storageHref(account), query: '' },
    }, status);
  }

  app.get('/accounts/:username/storage', guard, async (request, reply) =>
    renderStorage(request, reply, accountOf(services, request), pageQuery.parse(request.query ?? {}).page),
  );

  app.post('/accounts/:username/storage/default', guard, async (request, reply) => {
    const account = accountOf(services, request);
    const value = String((request.body as Record<string, unknown>).mailboxQuota ?? '');
    const result = await attempt(() => services.accounts.setDefaultMailboxQuota(account.username, value));
    if ('refusal' in result) {
      const error = result.refusal.errors.mailboxQuota ?? result.refusal.message;
      return renderStorage(request, reply, account, 1, { defaultForm: { value, error } }, result.refusal.status);
    }
    return redirectWithFlash(reply, storageHref(account), `The default limit for all mailboxes is now ${showLimit(result.value.mailboxQuotaBytes)}.`, secureCookies);
  });

  app.post('/accounts/:username/storage/mailboxes', guard, async (request, reply) => {
    const account = accountOf(services, request);
    const { page } = pageQuery.parse(request.body ?? {});
    const rows = postedRows(request.body);
    const result = await attempt(() => services.mailboxes.setStorageLimits(account.username, rows));
    if ('refusal' in result) return renderStorage(request, reply, account, page, { posted: { rows, errors: result.refusal.errors } }, result.refusal.status);
    const back = page > 1 ? `${storageHref(account)}?page=${page}` : storageHref(account);
    const message = result.value.length === 0 ? 'Nothing to change: the limits were already so.' : `Saved the limits of ${result.value.length} mailbox(es).`;
    return redirectWithFlash(reply, back, message, secureCookies);
  });
};
