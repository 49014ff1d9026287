import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { PostyardError } from '../domain/errors.js';
import type { Principal } from '../services/auth.js';
import { FLASH_COOKIE, cookieOptions } from './sessions.js';

/**
 * Renders a page with what every page needs (title, principal, CSRF token, the flash message), so routes pass only
 * their own view model.
 */
export function renderPage(request: FastifyRequest, reply: FastifyReply, template: string, model: { title: string } & Record<string, unknown>, status = 200) {
  return reply.status(status).view(template, {
    principal: request.principal,
    nav: navFor(request.principal),
    csrfToken: request.csrfToken,
    flash: request.flash,
    ...model,
  });
}

export interface NavItem {
  href: string;
  label: string;
}

/** The menu each role sees. Account pages live under /accounts/<username>/, so the admin and a parent reach others' too. */
export function navFor(principal: Principal | null): NavItem[] {
  if (!principal) return [];
  const home = { href: '/', label: 'Dashboard' };
  if (principal.kind === 'admin') {
    return [home, { href: '/accounts', label: 'Accounts' }, { href: '/relay', label: 'Relay list' }, { href: '/queue', label: 'Queue' }, { href: '/server', label: 'Server' }, { href: '/audit', label: 'Audit log' }];
  }
  if (principal.kind === 'account') {
    const base = `/accounts/${encodeURIComponent(principal.name)}`;
    return [
      home,
      { href: `${base}/domains`, label: 'Domains' },
      { href: `${base}/virtual-accounts`, label: 'Virtual accounts' },
      { href: `${base}/pop`, label: 'POP mailboxes' },
      { href: `${base}/storage`, label: 'Storage' },
      ...(principal.isChild ? [] : [{ href: '/accounts', label: 'Child accounts' }]),
      { href: '/audit', label: 'Audit log' },
    ];
  }
  return [home, { href: '/mailbox', label: 'Mail settings' }, { href: '/webmail', label: 'Webmail' }];
}

/** After a successful POST: a one-time message for the next page, and a 303 to it (POST-redirect-GET). */
export function redirectWithFlash(reply: FastifyReply, location: string, message: string, secureCookies = false) {
  reply.setCookie(FLASH_COOKIE, message, cookieOptions(secureCookies));
  return reply.redirect(location, 303);
}

/** Field -> message, for showing a refusal beside the fields it names. Messages without a field go under "form". */
export function fieldErrors(error: PostyardError): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of error.issues) errors[issue.field] ??= issue.message;
  if (error.issues.length === 0) errors.form = error.message;
  return errors;
}

/** Parses a posted form with a schema; on failure, the field messages to re-render the form with. */
export function parseForm<T extends z.ZodType>(schema: T, body: unknown): { data: z.output<T> } | { errors: Record<string, string> } {
  const result = schema.safeParse(body ?? {});
  if (result.success) return { data: result.data };
  const errors: Record<string, string> = {};
  for (const issue of result.error.issues) errors[issue.path.join('.') || 'form'] ??= issue.message;
  return { errors };
}

/** A checkbox in a posted form: present means on. */
export const isChecked = (value: unknown) => value === 'on' || value === 'true' || value === '1';

/** Page numbers for a list: `page` from the query, clamped to what exists. */
export function paginate<T>(items: readonly T[], requestedPage: unknown, perPage = 50) {
  const pages = Math.max(1, Math.ceil(items.length / perPage));
  const page = Math.min(pages, Math.max(1, Number.parseInt(String(requestedPage ?? '1'), 10) || 1));
  return { items: items.slice((page - 1) * perPage, page * perPage), page, pages, total: items.length };
}
