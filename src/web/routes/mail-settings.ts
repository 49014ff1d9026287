import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { PostyardError, notFound } from '../../domain/errors.js';
import { hasFlag } from '../../domain/mailbox-flags.js';
import type { Mailbox } from '../../db/repositories/mailboxes.js';
import { autoreplyStatus } from '../../services/autoreply.js';
import type { Services } from '../../services/index.js';
import { fieldErrors, isChecked, parseForm, redirectWithFlash, renderPage } from '../render.js';
import { requireLogin } from '../sessions.js';

type Section = 'forwarding' | 'autoreply' | 'profile';

// Forms post text; the services check it (one rule, one place). These only bound the sizes and read the checkboxes.
const forwardingForm = z.object({ addresses: z.string().max(20_000).default(''), keepCopy: z.unknown().optional() });
const autoreplyForm = z.object({
  enabled: z.unknown().optional(),
  subject: z.string().max(2_000).default(''),
  text: z.string().max(100_000).default(''),
  from: z.string().max(100).default(''),
  until: z.string().max(100).default(''),
  days: z.string().max(100).default('7'),
});
const profileForm = z.object({ displayName: z.string().max(2_000).default('') });

type Values = Record<string, string | boolean>;

/** What the page shows for a mailbox: its saved settings, or in one section the values just posted. */
function settingsOf(services: Services, mailbox: Mailbox) {
  const forwarding = services.forwarding.get(mailbox.name);
  const autoreply = services.autoreply.get(mailbox.name);
  return {
    forwarding: { addresses: forwarding?.addresses.join(', ') ?? '', keepCopy: forwarding?.keepCopy ?? true } as Values,
    autoreply: {
      enabled: autoreply?.enabled ?? false,
      subject: autoreply?.subject ?? '',
      text: autoreply?.text ?? '',
      from: autoreply?.startsOn ?? '',
      until: autoreply?.endsOn ?? '',
      days: String(autoreply?.periodDays ?? 7),
    } as Values,
    profile: { displayName: mailbox.displayName } as Values,
    status: autoreplyStatus(autoreply),
  };
}

/**
 * The mail settings page (forwarding, autoreply, display name): the mailbox user's own at /mailbox, and the owner's
 * view of any of its mailboxes at /accounts/:username/mail-settings/:mailbox, with the same template. Each section is
 * its own form; a refusal shows the section again with the values as typed and the message beside its field.
 */
export const mailSettingsRoutes: FastifyPluginAsync<{ services: Services; secureCookies: boolean }> = async (app, { services, secureCookies }) => {
  /** The mailbox a request is about, through services.access: anything out of reach is "not found" (404). */
  const target = (request: FastifyRequest): { mailbox: Mailbox; base: string; owner: string | null } => {
    const principal = request.principal!;
    const params = request.params as { username?: string; mailbox?: string };
    if (params.username === undefined || params.mailbox === undefined) {
      return { mailbox: services.access.mailbox(principal, principal.name), base: '/mailbox', owner: null };
    }
    const account = services.access.account(principal, params.username);
    const mailbox = services.access.mailbox(principal, params.mailbox);
    // The URL names the account: another account's mailbox is not found here, even for an admin or a parent.
    if (mailbox.accountId !== account.id) throw notFound('mailbox', params.mailbox);
    const base = `/accounts/${encodeURIComponent(account.username)}/mail-settings/${encodeURIComponent(mailbox.name)}`;
    return { mailbox, base, owner: account.username };
  };

  const render = (
    request: FastifyRequest,
    reply: FastifyReply,
    { mailbox, base, owner }: ReturnType<typeof target>,
    posted?: { section: Section; values: Values; errors: Record<string, string>; status: number },
  ) => {
    const saved = settingsOf(services, mailbox);
    const values = { ...saved, ...(posted ? { [posted.section]: posted.values } : {}) };
    const mailboxUser = request.principal?.kind === 'mailbox';
    return renderPage(
      request,
      reply,
      'mail-settings/page.eta',
      {
        title: 'Mail settings',
        mailbox: { name: mailbox.name, kind: mailbox.kind === 'virtual' ? 'virtual account' : 'POP mailbox', displayName: mailbox.displayName },
        owner,
        base,
        values,
        autoreplyStatus: saved.status,
        errors: { forwarding: {}, autoreply: {}, profile: {}, ...(posted ? { [posted.section]: posted.errors } : {}) },
        canChangePassword: mailboxUser && !hasFlag(mailbox.flags, 'noPasswordChange'),
      },
      posted?.status ?? 200,
    );
  };

  /** Runs one section's save; a refusal the user caused re-renders the page, anything else is an error page. */
  const save = async (request: FastifyRequest, reply: FastifyReply, section: Section, values: Values, call: (mailbox: Mailbox) => unknown, done: string) => {
    const where = target(request);
    try {
      await call(where.mailbox);
    } catch (error) {
      if (!(error instanceof PostyardError) || error.code === 'NOT_FOUND') throw error;
      return render(request, reply, where, { section, values, errors: fieldErrors(error), status: error.code === 'INVALID_INPUT' ? 400 : 409 });
    }
    return redirectWithFlash(reply, where.base, done, secureCookies);
  };

  const routes = (prefix: string) => {
    app.get(prefix, { preHandler: requireLogin() }, async (request, reply) => render(request, reply, target(request)));

    app.post(`${prefix}/forwarding`, { preHandler: requireLogin() }, async (request, reply) => {
      const form = parseForm(forwardingForm, request.body);
      if ('errors' in form) return render(request, reply, target(request), { section: 'forwarding', values: {}, errors: form.errors, status: 400 });
      const values = { addresses: form.data.addresses, keepCopy: isChecked(form.data.keepCopy) };
      const off = values.addresses.trim() === '';
      return save(request, reply, 'forwarding', values, (mailbox) => (off ? services.forwarding.remove(mailbox.name) : services.forwarding.set(mailbox.name, values)),
        off ? 'Forwarding is off: mail stays in the mailbox.' : 'Forwarding saved.');
    });

    app.post(`${prefix}/autoreply`, { preHandler: requireLogin() }, async (request, reply) => {
      const form = parseForm(autoreplyForm, request.body);
      if ('errors' in form) return render(request, reply, target(request), { section: 'autoreply', values: {}, errors: form.errors, status: 400 });
      const values = { ...form.data, enabled: isChecked(form.data.enabled) };
      return save(request, reply, 'autoreply', values, (mailbox) => services.autoreply.set(mailbox.name, values),
        values.enabled ? 'Autoreply saved.' : 'Autoreply is off.');
    });

    app.post(`${prefix}/profile`, { preHandler: requireLogin() }, async (request, reply) => {
      const form = parseForm(profileForm, request.body);
      if ('errors' in form) return render(request, reply, target(request), { section: 'profile', values: {}, errors: form.errors, status: 400 });
      return save(request, reply, 'profile', form.data, (mailbox) => services.mailboxes.updateSettings(mailbox.name, { displayName: form.data.displayName }), 'Display name saved.');
    });
  };

  routes('/mailbox');
  routes('/accounts/:username/mail-settings/:mailbox');
};
