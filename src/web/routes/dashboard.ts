import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../services/index.js';
import { usageView } from './account-views.js';
import { requireLogin } from '../sessions.js';
import { renderPage } from '../render.js';

const MAILBOXES_SHOWN = 50;

/** The dashboard: what each role owns and how full it is. */
export const dashboardRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  app.get('/', { preHandler: requireLogin() }, async (request, reply) => {
    const principal = request.principal!;
    const page = (template: string, model: Record<string, unknown>) => renderPage(request, reply, template, { title: 'Dashboard', ...model });

    if (principal.kind === 'admin') {
      const accounts = services.accounts.list();
      const rows = await Promise.all(
        accounts.map(async (account) => ({
          username: account.username,
          child: account.parentId !== null,
          disabled: account.disabled,
          domains: services.domains.listByAccount(account.id).length,
          usage: usageView(await services.quotas.accountDiskUsage(account)),
        })),
      );
      const counts = {
        accounts: accounts.length,
        domains: services.domains.list().length,
        virtualAccounts: services.mailboxes.listVirtualAccounts().length,
        popMailboxes: services.mailboxes.listPopMailboxes().length,
        queued: services.queue.count(),
        relayAllowed: services.relay.list().length,
      };
      return page('dashboard/admin.eta', { counts, rows });
    }

    if (principal.kind === 'account') {
      const account = services.accounts.get(principal.name);
      const mailboxes = [...services.mailboxes.listVirtualAccounts(account.id), ...services.mailboxes.listPopMailboxes(account.id)];
      const shown = await Promise.all(
        mailboxes.slice(0, MAILBOXES_SHOWN).map(async (mailbox) => ({
          name: mailbox.name,
          kind: mailbox.kind === 'virtual' ? 'virtual account' : 'POP mailbox',
          usage: usageView(await services.quotas.mailboxUsage(mailbox)),
        })),
      );
      return page('dashboard/account.eta', {
        account: { username: account.username, usage: usageView(await services.quotas.accountDiskUsage(account)) },
        domains: services.domains.listByAccount(account.id).map((domain) => domain.name),
        children: services.accounts.listChildren(account.username).map((child) => child.username),
        mailboxes: shown,
        more: Math.max(0, mailboxes.length - MAILBOXES_SHOWN),
      });
    }

    const mailbox = services.mailboxes.get(principal.name);
    return page('dashboard/mailbox.eta', {
      mailbox: { name: mailbox.name, displayName: mailbox.displayName, usage: usageView(await services.quotas.mailboxUsage(mailbox)) },
    });
  });
};
