import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Account } from '../../db/repositories/accounts.js';
import { displayNameSchema, domainNameSchema, passwordSchema, usernameSchema } from '../../domain/schemas.js';
import type { Services } from '../../services/index.js';
import { requireLogin } from '../sessions.js';
import { parseForm, redirectWithFlash, renderPage } from '../render.js';
import { accountBase, accountOf, accountView, attempt } from './account-area.js';
import { usageView } from './account-views.js';
import { postedValues, type FormValues } from './virtual-accounts-form.js';
import type { RouteOptions } from './index.js';

const PER_PAGE = 50;

const createForm = z
  .object({
    username: usernameSchema,
    // Blank: no default alias; the mailbox is reached through rules that deliver to its username.
    domain: z.union([z.literal(''), domainNameSchema]).default(''),
    displayName: displayNameSchema.default(''),
    password: passwordSchema,
    confirm: z.string(),
  })
  .refine((form) => form.password === form.confirm, { path: ['confirm'], message: 'does not match the password' });

const pageQuery = z.object({ page: z.coerce.number().int().min(1).catch(1) });

export const popHref = (username: string) => `${accountBase(username)}/pop`;

/** Domains a POP mailbox's default alias may use: the account's own and its children's (services.mailboxes checks). */
function aliasDomains(services: Services, account: Account): string[] {
  const family = [account, ...services.accounts.listChildren(account.username)];
  return family.flatMap((member) => services.domains.listByAccount(member.id).map((domain) => domain.name));
}

/** POP mailboxes (seed 003): list with the plan's packs of ten, and create. Edit and the rest: pop-mailboxes-edit.ts. */
export const popMailboxRoutes: FastifyPluginAsync<RouteOptions> = async (app, { services, secureCookies }) => {
  const guard = { preHandler: requireLogin('admin', 'account') };

  app.get('/accounts/:username/pop', guard, async (request, reply) => {
    const account = accountOf(services, request);
    const { page } = pageQuery.parse(request.query ?? {});
    const listing = services.mailboxes.listPage(account.id, { kind: 'pop', page, perPage: PER_PAGE });
    const base = popHref(account.username);
    const rows = await Promise.all(
      listing.items.map(async (mailbox) => {
        const href = `${base}/${encodeURIComponent(mailbox.name)}`;
        return {
          username: mailbox.name,
          displayName: mailbox.displayName,
          defaultAlias: mailbox.domainName ? `${mailbox.name}@${mailbox.domainName}` : null,
          aliases: services.mailboxes.aliasesDeliveringTo(mailbox),
          usage: usageView(await services.quotas.mailboxUsage(mailbox)),
          edit: `${href}/edit`,
          password: `${href}/password`,
          remove: `${href}/delete`,
        };
      }),
    );
    return renderPage(request, reply, 'pop/list.eta', {
      title: 'POP mailboxes',
      account: accountView(request, account),
      allowance: services.mailboxes.popAllowance(account),
      rows,
      pagination: { page: listing.page, pages: listing.pages, total: listing.total, base, query: '' },
    });
  });

  const renderCreate = (request: FastifyRequest, reply: FastifyReply, account: Account, values: FormValues, errors: Record<string, string> = {}, status = 200) =>
    renderPage(request, reply, 'pop/new.eta', {
      title: 'New POP mailbox',
      account: accountView(request, account),
      allowance: services.mailboxes.popAllowance(account),
      domains: aliasDomains(services, account),
      values,
      errors,
    }, status);

  app.get('/accounts/:username/pop/new', guard, async (request, reply) =>
    renderCreate(request, reply, accountOf(services, request), { username: '', domain: '', displayName: '' }),
  );

  app.post('/accounts/:username/pop', guard, async (request, reply) => {
    const account = accountOf(services, request);
    const values = postedValues(request.body);
    const parsed = parseForm(createForm, request.body);
    if ('errors' in parsed) return renderCreate(request, reply, account, values, parsed.errors, 400);
    const { username, domain, displayName, password } = parsed.data;
    // A domain out of the logged-in user's reach is "not found", like one in a URL.
    if (domain !== '') services.access.domain(request.principal!, domain);
    const result = await attempt(() =>
      services.mailboxes.createPopMailbox({ username, account: account.username, domain: domain === '' ? undefined : domain, displayName, password }),
    );
    if ('refusal' in result) return renderCreate(request, reply, account, values, result.refusal.errors, result.refusal.status);
    const alias = result.value.domainName ? ` with the default alias ${result.value.name}@${result.value.domainName}` : '';
    return redirectWithFlash(reply, popHref(account.username), `Created the POP mailbox ${result.value.name}${alias}.`, secureCookies);
  });
};
