import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../services/index.js';
import { requireLogin } from '../sessions.js';
import { parseForm, redirectWithFlash, renderPage } from '../render.js';
import { attempt } from './account-area.js';
import { passwordForm } from './virtual-accounts-form.js';

/** What the password page needs of a mailbox looked up through its owner. */
interface MailboxScope {
  mailbox: { name: string };
  href: string;
  listHref: string;
}

/**
 * The owner's "set a new password" page of a virtual account or POP mailbox, at `<path>/password`: one form, one rule
 * (services.mailboxes.setPassword), the new password never shown again.
 */
export function registerMailboxPasswordRoutes(
  app: FastifyInstance,
  path: string,
  scopeOf: (services: Services, request: FastifyRequest) => MailboxScope,
  { services, secureCookies }: { services: Services; secureCookies: boolean },
) {
  const guard = { preHandler: requireLogin('admin', 'account') };
  const render = (request: FastifyRequest, reply: FastifyReply, scope: MailboxScope, errors: Record<string, string> = {}, status = 200) =>
    renderPage(request, reply, 'virtual-accounts/password.eta', {
      title: `New password for ${scope.mailbox.name}`,
      address: scope.mailbox.name,
      action: `${scope.href}/password`,
      listHref: scope.listHref,
      errors,
    }, status);

  app.get(`${path}/password`, guard, async (request, reply) => render(request, reply, scopeOf(services, request)));

  app.post(`${path}/password`, guard, async (request, reply) => {
    const scope = scopeOf(services, request);
    const parsed = parseForm(passwordForm, request.body);
    if ('errors' in parsed) return render(request, reply, scope, parsed.errors, 400);
    const result = await attempt(() => services.mailboxes.setPassword(scope.mailbox.name, parsed.data.password));
    if ('refusal' in result) return render(request, reply, scope, result.refusal.errors, result.refusal.status);
    return redirectWithFlash(reply, scope.listHref, `The password of ${scope.mailbox.name} was changed.`, secureCookies);
  });
}
