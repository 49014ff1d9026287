import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { PostyardError } from '../../domain/errors.js';
import { hasFlag } from '../../domain/mailbox-flags.js';
import type { Services } from '../../services/index.js';
import type { LoginThrottle } from '../../services/login-throttle.js';
import { SESSION_COOKIE, cookieOptions, requireLogin } from '../sessions.js';
import { redirectWithFlash, renderPage } from '../render.js';

const loginForm = z.object({ username: z.string().max(254).default(''), password: z.string().max(200).default(''), next: z.string().default('/') });
const passwordForm = z.object({ current: z.string().default(''), password: z.string().default(''), confirm: z.string().default('') });

/** Only a path on this site: never "//host" or a full URL, so a login link cannot send the user elsewhere. */
const safeNext = (next: string) => (/^\/(?![/\\])[\x21-\x7e]*$/.test(next) ? next : '/');

export const authRoutes: FastifyPluginAsync<{ services: Services; throttle: LoginThrottle; secureCookies: boolean }> = async (app, { services, throttle, secureCookies }) => {
  app.get('/login', async (request, reply) => {
    if (request.principal) return reply.redirect('/', 303);
    const next = safeNext(String((request.query as Record<string, unknown>).next ?? '/'));
    return reply.view('auth/login.eta', { title: 'Log in', principal: null, csrfToken: request.csrfToken, values: { username: '', next }, error: null });
  });

  app.post('/login', async (request, reply) => {
    const form = loginForm.parse(request.body ?? {});
    const render = (status: number, error: string) =>
      reply.status(status).view('auth/login.eta', { title: 'Log in', principal: null, csrfToken: request.csrfToken, values: { username: form.username, next: safeNext(form.next) }, error });
    if (throttle.isBlocked(form.username, request.ip)) {
      return render(429, 'Too many failed logins. Wait 15 minutes and try again.');
    }
    const principal = await services.auth.authenticate(form.username, form.password, 'panel');
    if (!principal) {
      throttle.recordFailure(form.username, request.ip);
      request.log.info({ username: form.username.slice(0, 64), ip: request.ip }, 'panel login refused');
      return render(401, 'Wrong username or password.');
    }
    throttle.recordSuccess(form.username);
    const session = services.sessions.start(principal);
    reply.setCookie(SESSION_COOKIE, session.id, cookieOptions(secureCookies));
    return reply.redirect(safeNext(form.next), 303);
  });

  app.post('/logout', async (request, reply) => {
    if (request.session) services.sessions.end(request.session.id);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/login', 303);
  });

  app.get('/password', { preHandler: requireLogin() }, async (request, reply) =>
    renderPage(request, reply, 'auth/password.eta', { title: 'Change password', errors: {}, forced: mustChange(request.principal) }),
  );

  app.post('/password', { preHandler: requireLogin() }, async (request, reply) => {
    const principal = request.principal!;
    const form = passwordForm.parse(request.body ?? {});
    const render = (errors: Record<string, string>) =>
      renderPage(request, reply, 'auth/password.eta', { title: 'Change password', errors, forced: mustChange(principal) }, 400);
    if (principal.kind === 'mailbox' && hasFlag(services.mailboxes.get(principal.name).flags, 'noPasswordChange')) {
      return render({ password: 'Your provider does not let this mailbox change its password.' });
    }
    if (!(await services.auth.authenticate(principal.name, form.current, 'panel'))) return render({ current: 'is not your current password' });
    if (form.password !== form.confirm) return render({ confirm: 'does not match the new password' });
    try {
      if (principal.kind === 'admin') await services.admins.setPassword(principal.name, form.password);
      else if (principal.kind === 'account') await services.accounts.setPassword(principal.name, form.password);
      else await services.mailboxes.setPassword(principal.name, form.password);
    } catch (error) {
      if (error instanceof PostyardError) return render(Object.fromEntries(error.issues.map((issue) => ['password', issue.message])));
      throw error;
    }
    return redirectWithFlash(reply, '/', 'Your password was changed.', secureCookies);
  });
};

function mustChange(principal: unknown): boolean {
  return Boolean(principal && (principal as { mustChangePassword?: boolean }).mustChangePassword);
}
