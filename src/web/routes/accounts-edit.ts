import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Account } from '../../db/repositories/accounts.js';
import type { AccountRights } from '../../services/account-management.js';
import { parseForm, redirectWithFlash, renderPage } from '../render.js';
import { requireLogin } from '../sessions.js';
import { accountBase, accountOf, accountView, attempt } from './account-area.js';
import { nameList, renderForbidden, sizeInputValue } from './account-views.js';
import type { RouteOptions } from './index.js';

/** The plan form as posted; a parent's form has the disk quota only, and the service refuses any other field from it. */
const planForm = z.object({
  diskQuota: z.string().optional(),
  mailboxQuota: z.string().optional(),
  maxChildren: z.string().optional(),
  popPacks: z.string().optional(),
});

// The new password twice, so that a typo does not lock the account out.
const passwordForm = z
  .object({ password: z.string().default(''), confirm: z.string().default('') })
  .refine((form) => form.password === form.confirm, { path: ['confirm'], message: 'does not match the new password' });

/** Changing an account: its plan, its status, its password; removing it after a confirmation. */
export const accountEditRoutes: FastifyPluginAsync<RouteOptions> = async (app, { services, secureCookies }) => {
  const managers = requireLogin('admin', 'account');
  const management = services.accountManagement;

  /** The account in the URL, or why the principal may not do `right` to it (one it cannot reach at all is a 404). */
  function managed(request: FastifyRequest, right: keyof AccountRights): { account: Account } | { refused: string } {
    const account = accountOf(services, request);
    const refused = management.refusal(request.principal!, account, right);
    return refused === null ? { account } : { refused };
  }

  function renderPlan(request: FastifyRequest, reply: FastifyReply, account: Account, values: z.output<typeof planForm>, errors: Record<string, string>, status = 200) {
    const { plan } = management.rightsOver(request.principal!, account);
    const model = { title: `Plan of ${account.username}`, account: accountView(request, account), plan, values, errors };
    return renderPage(request, reply, 'accounts/plan.eta', model, status);
  }

  app.get('/accounts/:username/plan', { preHandler: managers }, async (request, reply) => {
    const found = managed(request, 'plan');
    if ('refused' in found) return renderForbidden(request, reply, found.refused);
    const { account } = found;
    const values = {
      diskQuota: sizeInputValue(account.diskQuotaBytes),
      mailboxQuota: sizeInputValue(account.mailboxQuotaBytes),
      maxChildren: String(account.maxChildren),
      popPacks: String(account.popPacks),
    };
    return renderPlan(request, reply, account, values, {});
  });

  app.post('/accounts/:username/plan', { preHandler: managers }, async (request, reply) => {
    const found = managed(request, 'plan');
    if ('refused' in found) return renderForbidden(request, reply, found.refused);
    const { account } = found;
    const parsed = parseForm(planForm, request.body);
    if ('errors' in parsed) return renderPlan(request, reply, account, {}, parsed.errors, 400);
    const result = await attempt(() => management.setPlan(request.principal!, account.username, parsed.data));
    if ('refusal' in result) {
      if (result.refusal.forbidden) return renderForbidden(request, reply, result.refusal.message);
      return renderPlan(request, reply, account, parsed.data, result.refusal.errors, result.refusal.status);
    }
    return redirectWithFlash(reply, accountBase(account.username), `Saved the plan of ${account.username}.`, secureCookies);
  });

  for (const [action, disabled] of [['disable', true], ['enable', false]] as const) {
    app.post(`/accounts/:username/${action}`, { preHandler: managers }, async (request, reply) => {
      const found = managed(request, 'disable');
      if ('refused' in found) return renderForbidden(request, reply, found.refused);
      const { account } = found;
      await management.setDisabled(request.principal!, account.username, disabled);
      const message = disabled ? `Disabled ${account.username}: its logins are refused, and its mail still arrives.` : `Enabled ${account.username}: it can log in again.`;
      return redirectWithFlash(reply, accountBase(account.username), message, secureCookies);
    });
  }

  function renderPassword(request: FastifyRequest, reply: FastifyReply, account: Account, errors: Record<string, string>, status = 200) {
    const model = { title: `New password for ${account.username}`, account: accountView(request, account), errors };
    return renderPage(request, reply, 'accounts/password.eta', model, status);
  }

  app.get('/accounts/:username/password', { preHandler: managers }, async (request, reply) => {
    const found = managed(request, 'resetPassword');
    return 'refused' in found ? renderForbidden(request, reply, found.refused) : renderPassword(request, reply, found.account, {});
  });

  app.post('/accounts/:username/password', { preHandler: managers }, async (request, reply) => {
    const found = managed(request, 'resetPassword');
    if ('refused' in found) return renderForbidden(request, reply, found.refused);
    const { account } = found;
    const parsed = parseForm(passwordForm, request.body);
    if ('errors' in parsed) return renderPassword(request, reply, account, parsed.errors, 400);
    const result = await attempt(() => management.resetPassword(request.principal!, account.username, parsed.data.password));
    if ('refusal' in result) return renderPassword(request, reply, account, result.refusal.errors, result.refusal.status);
    return redirectWithFlash(reply, accountBase(account.username), `Set a new password for ${account.username}.`, secureCookies);
  });

  app.get('/accounts/:username/delete', { preHandler: managers }, async (request, reply) => {
    const found = managed(request, 'remove');
    if ('refused' in found) return renderForbidden(request, reply, found.refused);
    const { account } = found;
    const { children, domains, virtualAccounts, popMailboxes } = management.removalOf(request.principal!, account.username);
    const consequences = [
      children.length && `${children.length} child account(s): ${nameList(children)}`,
      domains.length && `${domains.length} domain(s) and their alias rules: ${nameList(domains)}`,
      virtualAccounts.length && `${virtualAccounts.length} virtual account(s): ${nameList(virtualAccounts)}`,
      popMailboxes.length && `${popMailboxes.length} POP mailbox(es): ${nameList(popMailboxes)}`,
      'all mail and files of these accounts and mailboxes',
    ].filter((line): line is string => Boolean(line));
    const base = accountBase(account.username);
    return renderPage(request, reply, 'accounts/delete.eta', {
      title: `Remove ${account.username}`,
      confirm: {
        heading: `Remove the account ${account.username}?`,
        message: 'This cannot be undone.',
        consequences,
        action: `${base}/delete`,
        submitLabel: `Remove ${account.username}`,
        cancelHref: base,
        csrfToken: request.csrfToken,
      },
    });
  });

  app.post('/accounts/:username/delete', { preHandler: managers }, async (request, reply) => {
    const found = managed(request, 'remove');
    if ('refused' in found) return renderForbidden(request, reply, found.refused);
    const { account } = found;
    const [, ...children] = await management.remove(request.principal!, account.username);
    const withChildren = children.length ? ` with its ${children.length} child account(s)` : '';
    return redirectWithFlash(reply, '/accounts', `Removed the account ${account.username}${withChildren}.`, secureCookies);
  });
};
