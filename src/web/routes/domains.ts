import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Account } from '../../db/repositories/accounts.js';
import { newDomainSchema } from '../../services/domains.js';
import { requireLogin } from '../sessions.js';
import { parseForm, redirectWithFlash, renderPage } from '../render.js';
import { accountBase, accountOf, accountView, attempt } from './account-area.js';
import type { RouteOptions } from './index.js';

/** The confirm page names this many virtual accounts and then counts the rest, so a big domain still fits a page. */
const NAMED_ON_CONFIRM = 20;

const domainForm = newDomainSchema.pick({ name: true });

/** Domains of an account: list with links to each domain's alias pages, add, remove through a confirm page. */
export const domainRoutes: FastifyPluginAsync<RouteOptions> = async (app, { services, secureCookies }) => {
  const guard = { preHandler: requireLogin('admin', 'account') };

  const renderList = (request: FastifyRequest, reply: FastifyReply, account: Account, form = { values: { name: '' }, errors: {} as Record<string, string> }, status = 200) => {
    const base = accountBase(account.username);
    const domains = services.domains.listByAccount(account.id).map((domain) => {
      const href = `${base}/domains/${encodeURIComponent(domain.name)}`;
      return { name: domain.name, aliases: `${href}/aliases`, mapfile: `${href}/mapfile`, route: `${href}/route`, remove: `${href}/delete` };
    });
    return renderPage(request, reply, 'domains/list.eta', { title: 'Domains', account: accountView(request, account), domains, ...form }, status);
  };

  app.get('/accounts/:username/domains', guard, async (request, reply) => renderList(request, reply, accountOf(services, request)));

  app.post('/accounts/:username/domains', guard, async (request, reply) => {
    const account = accountOf(services, request);
    const values = { name: String((request.body as Record<string, unknown>).name ?? '') };
    const parsed = parseForm(domainForm, request.body);
    if ('errors' in parsed) return renderList(request, reply, account, { values, errors: parsed.errors }, 400);
    const result = await attempt(() => services.domains.add({ name: parsed.data.name, account: account.username }));
    if ('refusal' in result) return renderList(request, reply, account, { values, errors: result.refusal.errors }, result.refusal.status);
    return redirectWithFlash(reply, `${accountBase(account.username)}/domains`, `${result.value.name} is now hosted on ${account.username}.`, secureCookies);
  });

  app.get('/accounts/:username/domains/:domain/delete', guard, async (request, reply) => {
    const account = accountOf(services, request);
    const domain = services.access.domainOf(request.principal!, account, (request.params as { domain: string }).domain);
    const removal = services.domains.removalOf(domain.name);
    const consequences = [
      ...removal.virtualAccounts.slice(0, NAMED_ON_CONFIRM).map((address) => `the virtual account ${address} and all its mail`),
      ...(removal.virtualAccounts.length > NAMED_ON_CONFIRM ? [`${removal.virtualAccounts.length - NAMED_ON_CONFIRM} more virtual accounts and their mail`] : []),
      ...removal.popDefaultAliases.map(({ address, popMailbox }) => `the default alias ${address} of POP mailbox ${popMailbox} (the mailbox itself stays)`),
      ...(removal.otherAliasRules > 0 ? [`${removal.otherAliasRules} alias rule(s) of the domain`] : []),
    ];
    const base = accountBase(account.username);
    return renderPage(request, reply, 'domains/delete.eta', {
      title: `Remove ${domain.name}`,
      confirm: {
        heading: `Remove ${domain.name}?`,
        message: `Mail for ${domain.name} will be refused as "not hosted here" once it is removed.`,
        consequences,
        action: `${base}/domains/${encodeURIComponent(domain.name)}/delete`,
        submitLabel: 'Remove the domain',
        cancelHref: `${base}/domains`,
        csrfToken: request.csrfToken,
      },
    });
  });

  app.post('/accounts/:username/domains/:domain/delete', guard, async (request, reply) => {
    const account = accountOf(services, request);
    const domain = services.access.domainOf(request.principal!, account, (request.params as { domain: string }).domain);
    // The confirm page listed what goes with the domain: confirming it is the "force" the service asks for.
    const { removedMailboxes } = await services.domains.remove(domain.name, { force: true });
    const also = removedMailboxes.length > 0 ? ` with ${removedMailboxes.length} virtual account(s)` : '';
    return redirectWithFlash(reply, `${accountBase(account.username)}/domains`, `Removed ${domain.name}${also}.`, secureCookies);
  });
};
