import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Account } from '../../db/repositories/accounts.js';
import type { Principal } from '../../services/auth.js';
import { POP_PACK_SIZE } from '../../services/accounts.js';
import type { Services } from '../../services/index.js';
import { paginate, parseForm, redirectWithFlash, renderPage } from '../render.js';
import { requireLogin } from '../sessions.js';
import { accountBase, accountOf, accountView, attempt } from './account-area.js';
import { renderForbidden, showLimit, usageView } from './account-views.js';
import type { RouteOptions } from './index.js';

/** The create form as posted: text fields only; the account service's schema holds the rules. */
const createForm = z.object({
  username: z.string().default(''),
  password: z.string().default(''),
  diskQuota: z.string().default(''),
  mailboxQuota: z.string().default(''),
  maxChildren: z.string().optional(),
  popPacks: z.string().optional(),
});
type CreateValues = z.output<typeof createForm>;

const NEW_PARENT_DEFAULTS: CreateValues = { username: '', password: '', diskQuota: '', mailboxQuota: '', maxChildren: '10', popPacks: '1' };

/** The accounts hierarchy (admin: every parent and its children; a parent: itself and its children) and the create form. */
export const accountRoutes: FastifyPluginAsync<RouteOptions> = async (app, { services, secureCookies }) => {
  const managers = requireLogin('admin', 'account');

  async function renderList(request: FastifyRequest, reply: FastifyReply, form: { values: CreateValues; errors: Record<string, string> }, status = 200) {
    const principal = request.principal!;
    const creates = services.accountManagement.creates(principal);
    const tree = await accountTree(services, principal, (request.query as Record<string, unknown>).page);
    const self = creates === 'child' ? services.access.account(principal, principal.name) : null;
    const childLimit = self && { used: services.accounts.listChildren(self.username).length, allowed: self.maxChildren };
    // A parent with a disk quota must give each child one within it (services/account-management.ts): say so up front.
    const diskQuotaHint = self && self.diskQuotaBytes !== null
      ? `(required: at most ${showLimit(self.diskQuotaBytes)}, your own disk quota)`
      : '(like 2G; blank for no limit)';
    return renderPage(request, reply, 'accounts/list.eta', { title: creates === 'child' ? 'Child accounts' : 'Accounts', creates, tree, childLimit, diskQuotaHint, ...form }, status);
  }

  app.get('/accounts', { preHandler: managers }, async (request, reply) => {
    const creates = services.accountManagement.creates(request.principal!);
    if (creates === null) return renderForbidden(request, reply, 'A child account has no accounts to manage.');
    const values = creates === 'parent' ? NEW_PARENT_DEFAULTS : { ...NEW_PARENT_DEFAULTS, maxChildren: undefined, popPacks: undefined };
    return renderList(request, reply, { values, errors: {} });
  });

  app.post('/accounts', { preHandler: managers }, async (request, reply) => {
    const principal = request.principal!;
    if (services.accountManagement.creates(principal) === null) return renderForbidden(request, reply, 'A child account has no accounts to manage.');
    const parsed = parseForm(createForm, request.body);
    if ('errors' in parsed) return renderList(request, reply, { values: NEW_PARENT_DEFAULTS, errors: parsed.errors }, 400);
    const values = parsed.data;
    const result = await attempt(() => services.accountManagement.create(principal, values));
    if ('refusal' in result) return renderList(request, reply, { values, errors: result.refusal.errors }, result.refusal.status);
    const created = result.value;
    const kind = created.parentId === null ? 'parent account' : 'child account';
    return redirectWithFlash(reply, accountBase(created.username), `Created the ${kind} ${created.username}.`, secureCookies);
  });

  app.get('/accounts/:username', { preHandler: managers }, async (request, reply) => {
    const principal = request.principal!;
    const account = accountOf(services, request);
    const children = account.parentId === null ? services.accounts.listChildren(account.username) : [];
    const childRows = await Promise.all(children.map((child) => accountRow(services, child)));
    const base = accountBase(account.username);
    return renderPage(request, reply, 'accounts/overview.eta', {
      title: `Account ${account.username}`,
      account: { ...accountView(request, account), ...(await accountRow(services, account)) },
      plan: {
        diskQuota: showLimit(account.diskQuotaBytes),
        mailboxQuota: showLimit(account.mailboxQuotaBytes),
        maxChildren: account.maxChildren,
        popAllowed: account.popPacks * POP_PACK_SIZE,
        popPacks: account.popPacks,
      },
      isParent: account.parentId === null,
      parent: account.parentUsername && { username: account.parentUsername, href: accountBase(account.parentUsername) },
      sections: [
        { label: 'Domains', count: services.domains.listByAccount(account.id).length, href: `${base}/domains` },
        { label: 'Virtual accounts', count: services.mailboxes.listVirtualAccounts(account.id).length, href: `${base}/virtual-accounts` },
        { label: 'POP mailboxes', count: services.mailboxes.listPopMailboxes(account.id).length, of: account.popPacks * POP_PACK_SIZE, href: `${base}/pop` },
        { label: 'Storage', href: `${base}/storage` },
      ],
      children: childRows,
      rights: services.accountManagement.rightsOver(principal, account),
      back: services.accountManagement.creates(principal) ? { href: '/accounts', label: 'All accounts' } : { href: '/', label: 'Dashboard' },
    });
  });
};

/** One account as the lists show it: name, link, status and disk usage against its quota. */
async function accountRow(services: Services, account: Account) {
  return {
    username: account.username,
    base: accountBase(account.username),
    disabled: account.disabled,
    usage: usageView(await services.quotas.accountDiskUsage(account)),
  };
}

/** Parents (a page of them) with their children; usage is counted only for the accounts shown. */
async function accountTree(services: Services, principal: Principal, page: unknown) {
  const accounts = services.access.accounts(principal);
  const ids = new Set(accounts.map((account) => account.id));
  const childrenOf = new Map<number, Account[]>();
  for (const account of accounts) {
    if (account.parentId !== null && ids.has(account.parentId)) childrenOf.set(account.parentId, [...(childrenOf.get(account.parentId) ?? []), account]);
  }
  const roots = paginate(accounts.filter((account) => account.parentId === null || !ids.has(account.parentId)), page);
  const items = await Promise.all(
    roots.items.map(async (root) => ({
      ...(await accountRow(services, root)),
      children: await Promise.all((childrenOf.get(root.id) ?? []).map((child) => accountRow(services, child))),
    })),
  );
  return { ...roots, items };
}
