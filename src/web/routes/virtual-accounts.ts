import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Account } from '../../db/repositories/accounts.js';
import { requireLogin } from '../sessions.js';
import { parseForm, redirectWithFlash, renderPage } from '../render.js';
import { accountBase, accountOf, accountView, attempt } from './account-area.js';
import { showLimit, usageView } from './account-views.js';
import { FLAG_CHOICES, createForm, flagsFrom, formFieldOf, postedValues, type FormValues } from './virtual-accounts-form.js';
import type { RouteOptions } from './index.js';

const PER_PAGE = 50;

/** ?q= and ?page= as typed in a URL: anything odd falls back to "everything, first page" rather than an error. */
const listQuery = z.object({ q: z.string().trim().max(100).catch(''), page: z.coerce.number().int().min(1).catch(1) });

export const virtualAccountsHref = (username: string) => `${accountBase(username)}/virtual-accounts`;

/** The Virtual Account Manager (seed 000): list with search and pages, and create. Edit and the rest: virtual-accounts-edit.ts. */
export const virtualAccountRoutes: FastifyPluginAsync<RouteOptions> = async (app, { services, secureCookies }) => {
  const guard = { preHandler: requireLogin('admin', 'account') };

  app.get('/accounts/:username/virtual-accounts', guard, async (request, reply) => {
    const account = accountOf(services, request);
    const { q, page } = listQuery.parse(request.query ?? {});
    const listing = services.mailboxes.listPage(account.id, { kind: 'virtual', query: q, page, perPage: PER_PAGE });
    const base = virtualAccountsHref(account.username);
    // Usage is counted only for the rows shown: counting 10,000 mailboxes for one page would be the slow part.
    const rows = await Promise.all(
      listing.items.map(async (mailbox) => {
        const href = `${base}/${encodeURIComponent(mailbox.name)}`;
        return {
          address: mailbox.name,
          displayName: mailbox.displayName,
          disabled: mailbox.disabled,
          ftp: mailbox.ftpEnabled,
          usage: usageView(await services.quotas.mailboxUsage(mailbox)),
          edit: `${href}/edit`,
          password: `${href}/password`,
          remove: `${href}/delete`,
        };
      }),
    );
    return renderPage(request, reply, 'virtual-accounts/list.eta', {
      title: 'Virtual accounts',
      account: accountView(request, account),
      hasDomains: services.domains.listByAccount(account.id).length > 0,
      q,
      rows,
      pagination: { page: listing.page, pages: listing.pages, total: listing.total, base, query: q ? `q=${encodeURIComponent(q)}&` : '' },
    });
  });

  const renderCreate = (request: FastifyRequest, reply: FastifyReply, account: Account, values: FormValues, errors: Record<string, string> = {}, status = 200) =>
    renderPage(request, reply, 'virtual-accounts/new.eta', {
      title: 'New virtual account',
      account: accountView(request, account),
      domains: services.domains.listByAccount(account.id).map((domain) => domain.name),
      defaultQuota: showLimit(account.mailboxQuotaBytes),
      flagChoices: FLAG_CHOICES,
      values,
      errors,
    }, status);

  app.get('/accounts/:username/virtual-accounts/new', guard, async (request, reply) =>
    renderCreate(request, reply, accountOf(services, request), { localPart: '', domain: '', displayName: '', quota: '', ftpHome: '' }),
  );

  app.post('/accounts/:username/virtual-accounts', guard, async (request, reply) => {
    const account = accountOf(services, request);
    const values = postedValues(request.body);
    const parsed = parseForm(createForm, request.body);
    if ('errors' in parsed) return renderCreate(request, reply, account, values, parsed.errors, 400);
    const form = parsed.data;
    // The domain list offers only this account's domains; any other domain in the post is out of reach (404).
    const domain = services.access.domainOf(request.principal!, account, form.domain);
    const result = await attempt(() =>
      services.mailboxes.createVirtualAccount({
        address: `${form.localPart}@${domain.name}`,
        account: account.username,
        password: form.password,
        displayName: form.displayName,
        quota: form.quota,
        flags: flagsFrom(form),
        ftpEnabled: form.ftpEnabled,
        ftpHome: form.ftpHome ?? undefined,
      }),
    );
    if ('refusal' in result) {
      const errors = Object.fromEntries(Object.entries(result.refusal.errors).map(([field, message]) => [formFieldOf(field), message]));
      return renderCreate(request, reply, account, values, errors, result.refusal.status);
    }
    return redirectWithFlash(reply, virtualAccountsHref(account.username), `Created the virtual account ${result.value.name}.`, secureCookies);
  });
};
