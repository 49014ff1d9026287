import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../services/index.js';
import { requireLogin } from '../sessions.js';
import { parseForm, redirectWithFlash, renderPage } from '../render.js';
import { accountOf, accountView, attempt } from './account-area.js';
import { showLimit, usageView } from './account-views.js';
import { FLAG_CHOICES, editForm, flagsFrom, mailboxValues, postedValues, type FormValues } from './virtual-accounts-form.js';
import { virtualAccountsHref } from './virtual-accounts.js';
import type { RouteOptions } from './index.js';
import { registerMailboxPasswordRoutes } from './mailbox-password.js';

/** The virtual account a page is about: this account's, within the principal's reach, or "not found". */
function virtualAccountScope(services: Services, request: FastifyRequest) {
  const account = accountOf(services, request);
  const mailbox = services.access.mailboxOf(request.principal!, account, (request.params as { address: string }).address, 'virtual');
  const listHref = virtualAccountsHref(account.username);
  return { account, mailbox, listHref, href: `${listHref}/${encodeURIComponent(mailbox.name)}` };
}

type Scope = ReturnType<typeof virtualAccountScope>;

/** Edit a virtual account's settings, reset its password, delete it (confirmed). */
export const virtualAccountEditRoutes: FastifyPluginAsync<RouteOptions> = async (app, { services, secureCookies }) => {
  const guard = { preHandler: requireLogin('admin', 'account') };
  const path = '/accounts/:username/virtual-accounts/:address';

  const renderEdit = async (request: FastifyRequest, reply: FastifyReply, scope: Scope, values: FormValues, errors: Record<string, string> = {}, status = 200) =>
    renderPage(request, reply, 'virtual-accounts/edit.eta', {
      title: `Edit ${scope.mailbox.name}`,
      account: accountView(request, scope.account),
      address: scope.mailbox.name,
      href: scope.href,
      listHref: scope.listHref,
      usage: usageView(await services.quotas.mailboxUsage(scope.mailbox)),
      defaultQuota: showLimit(scope.account.mailboxQuotaBytes),
      flagChoices: FLAG_CHOICES,
      values,
      errors,
    }, status);

  app.get(`${path}/edit`, guard, async (request, reply) => {
    const scope = virtualAccountScope(services, request);
    return renderEdit(request, reply, scope, mailboxValues(scope.mailbox));
  });

  app.post(`${path}/edit`, guard, async (request, reply) => {
    const scope = virtualAccountScope(services, request);
    const values = postedValues(request.body);
    const parsed = parseForm(editForm, request.body);
    if ('errors' in parsed) return renderEdit(request, reply, scope, values, parsed.errors, 400);
    const form = parsed.data;
    const result = await attempt(() =>
      services.mailboxes.updateSettings(scope.mailbox.name, {
        displayName: form.displayName,
        quota: form.quota,
        notifyAt90: form.notifyAt90,
        disabled: form.disabled,
        hiddenFromAddressBook: form.hiddenFromAddressBook,
        flags: flagsFrom(form, scope.mailbox.flags),
        ftpEnabled: form.ftpEnabled,
        ftpHome: form.ftpHome,
      }),
    );
    if ('refusal' in result) return renderEdit(request, reply, scope, values, result.refusal.errors, result.refusal.status);
    return redirectWithFlash(reply, scope.listHref, `Saved the settings of ${scope.mailbox.name}.`, secureCookies);
  });

  registerMailboxPasswordRoutes(app, path, virtualAccountScope, { services, secureCookies });

  app.get(`${path}/delete`, guard, async (request, reply) => {
    const scope = virtualAccountScope(services, request);
    const usage = usageView(await services.quotas.mailboxUsage(scope.mailbox));
    return renderPage(request, reply, 'virtual-accounts/delete.eta', {
      title: `Delete ${scope.mailbox.name}`,
      confirm: {
        heading: `Delete ${scope.mailbox.name}?`,
        message: `Mail for ${scope.mailbox.name} will then follow the domain's alias rules, or reach the account's own mailbox.`,
        consequences: [
          `its mailbox folder and all its mail (${usage.used})`,
          ...(scope.mailbox.ftpEnabled ? [`its FTP login (the files in ${scope.mailbox.ftpHome ?? '/'} stay)`] : []),
        ],
        action: `${scope.href}/delete`,
        submitLabel: 'Delete the virtual account',
        cancelHref: scope.listHref,
        csrfToken: request.csrfToken,
      },
    });
  });

  app.post(`${path}/delete`, guard, async (request, reply) => {
    const scope = virtualAccountScope(services, request);
    await services.mailboxes.remove(scope.mailbox.name);
    return redirectWithFlash(reply, scope.listHref, `Deleted the virtual account ${scope.mailbox.name}.`, secureCookies);
  });
};
