import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { displayNameSchema, optionalSizeSchema } from '../../domain/schemas.js';
import type { Services } from '../../services/index.js';
import { requireLogin } from '../sessions.js';
import { parseForm, redirectWithFlash, renderPage } from '../render.js';
import { accountOf, accountView, attempt } from './account-area.js';
import { showLimit, sizeInputValue, usageView } from './account-views.js';
import { postedValues, type FormValues } from './virtual-accounts-form.js';
import { popHref } from './pop-mailboxes.js';
import type { RouteOptions } from './index.js';
import { registerMailboxPasswordRoutes } from './mailbox-password.js';

const editForm = z.object({ displayName: displayNameSchema.default(''), quota: optionalSizeSchema.default(null) });

/** The POP mailbox a page is about: this account's, within the principal's reach, or "not found". */
function popScope(services: Services, request: FastifyRequest) {
  const account = accountOf(services, request);
  const mailbox = services.access.mailboxOf(request.principal!, account, (request.params as { pop: string }).pop, 'pop');
  const listHref = popHref(account.username);
  return { account, mailbox, listHref, href: `${listHref}/${encodeURIComponent(mailbox.name)}` };
}

type Scope = ReturnType<typeof popScope>;

/** Edit a POP mailbox's real name and quota, reset its password, delete it with the aliases that deliver to it. */
export const popMailboxEditRoutes: FastifyPluginAsync<RouteOptions> = async (app, { services, secureCookies }) => {
  const guard = { preHandler: requireLogin('admin', 'account') };
  const path = '/accounts/:username/pop/:pop';

  const renderEdit = async (request: FastifyRequest, reply: FastifyReply, scope: Scope, values: FormValues, errors: Record<string, string> = {}, status = 200) =>
    renderPage(request, reply, 'pop/edit.eta', {
      title: `Edit ${scope.mailbox.name}`,
      account: accountView(request, scope.account),
      username: scope.mailbox.name,
      href: scope.href,
      listHref: scope.listHref,
      usage: usageView(await services.quotas.mailboxUsage(scope.mailbox)),
      defaultQuota: showLimit(scope.account.mailboxQuotaBytes),
      values,
      errors,
    }, status);

  app.get(`${path}/edit`, guard, async (request, reply) => {
    const scope = popScope(services, request);
    return renderEdit(request, reply, scope, { displayName: scope.mailbox.displayName, quota: sizeInputValue(scope.mailbox.quotaBytes) });
  });

  app.post(`${path}/edit`, guard, async (request, reply) => {
    const scope = popScope(services, request);
    const values = postedValues(request.body);
    const parsed = parseForm(editForm, request.body);
    if ('errors' in parsed) return renderEdit(request, reply, scope, values, parsed.errors, 400);
    const result = await attempt(() => services.mailboxes.updateSettings(scope.mailbox.name, parsed.data));
    if ('refusal' in result) return renderEdit(request, reply, scope, values, result.refusal.errors, result.refusal.status);
    return redirectWithFlash(reply, scope.listHref, `Saved ${scope.mailbox.name}.`, secureCookies);
  });

  registerMailboxPasswordRoutes(app, path, popScope, { services, secureCookies });

  app.get(`${path}/delete`, guard, async (request, reply) => {
    const scope = popScope(services, request);
    const usage = usageView(await services.quotas.mailboxUsage(scope.mailbox));
    const defaultAlias = scope.mailbox.domainName ? `${scope.mailbox.name}@${scope.mailbox.domainName}` : null;
    const aliases = services.mailboxes.aliasesDeliveringTo(scope.mailbox);
    return renderPage(request, reply, 'pop/delete.eta', {
      title: `Delete ${scope.mailbox.name}`,
      confirm: {
        heading: `Delete the POP mailbox ${scope.mailbox.name}?`,
        message: 'Its username becomes free for anyone on the server to take.',
        consequences: [
          `its mailbox and all its mail (${usage.used})`,
          ...aliases.map((address) => (address === defaultAlias ? `its default alias ${address}` : `the alias ${address}, which delivers to it`)),
        ],
        action: `${scope.href}/delete`,
        submitLabel: 'Delete the POP mailbox',
        cancelHref: scope.listHref,
        csrfToken: request.csrfToken,
      },
    });
  });

  app.post(`${path}/delete`, guard, async (request, reply) => {
    const scope = popScope(services, request);
    await services.mailboxes.remove(scope.mailbox.name);
    return redirectWithFlash(reply, scope.listHref, `Deleted the POP mailbox ${scope.mailbox.name} and its aliases.`, secureCookies);
  });
};
