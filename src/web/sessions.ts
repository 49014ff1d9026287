import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { SessionRecord } from '../db/repositories/sessions.js';
import type { Principal } from '../services/auth.js';
import type { Services } from '../services/index.js';
import { runAs } from '../services/actor.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    session: SessionRecord | null;
    /** The token every form posts back: the session's, or before login a signed cookie's (double submit). */
    csrfToken: string;
    /** A one-time message left by the previous request (after a POST-redirect-GET). */
    flash: string | null;
  }
}

export const SESSION_COOKIE = 'postyard_session';
export const FLASH_COOKIE = 'postyard_flash';
const ANONYMOUS_CSRF_COOKIE = 'postyard_csrf';

export function cookieOptions(secure: boolean) {
  return { path: '/', httpOnly: true, sameSite: 'strict' as const, secure, signed: true };
}

/** Loads the session and its principal on every request, and refuses any POST whose CSRF token does not match. */
export function registerSessions(app: FastifyInstance, services: Services, { secureCookies }: { secureCookies: boolean }) {
  app.decorateRequest('principal', null);
  app.decorateRequest('session', null);
  app.decorateRequest('csrfToken', '');
  app.decorateRequest('flash', null);

  app.addHook('onRequest', async (request, reply) => {
    const flash = unsigned(request, FLASH_COOKIE);
    if (flash === null) return;
    request.flash = flash;
    reply.clearCookie(FLASH_COOKIE, { path: '/' });
  });

  app.addHook('onRequest', async (request, reply) => {
    const sessionId = unsigned(request, SESSION_COOKIE);
    const session = sessionId ? services.sessions.find(sessionId) : null;
    const principal = session ? services.auth.principalOf(session.principalKind, session.principalId) : null;
    if (session && principal) {
      request.session = session;
      request.principal = principal;
      request.csrfToken = session.csrfToken;
      return;
    }
    let anonymousToken = unsigned(request, ANONYMOUS_CSRF_COOKIE);
    if (!anonymousToken) {
      anonymousToken = randomBytes(24).toString('base64url');
      reply.setCookie(ANONYMOUS_CSRF_COOKIE, anonymousToken, cookieOptions(secureCookies));
    }
    request.csrfToken = anonymousToken;
  });

  // Every change a request makes is recorded in the audit log under the logged-in user.
  app.addHook('onRequest', (request, _reply, done) => {
    runAs({ name: request.principal?.name ?? 'anonymous', source: 'panel' }, done);
  });

  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST') return;
    const sent = (request.body as Record<string, unknown> | undefined)?._csrf;
    if (typeof sent !== 'string' || !sameToken(sent, request.csrfToken)) {
      return reply.status(403).view('error.eta', {
        title: 'Form expired',
        status: 403,
        message: 'This form is out of date or was not sent from the panel. Go back, reload the page and try again.',
        principal: request.principal,
        csrfToken: request.csrfToken,
      });
    }
  });
}

function unsigned(request: FastifyRequest, name: string): string | null {
  const raw = request.cookies[name];
  if (!raw) return null;
  const result = request.unsignCookie(raw);
  return result.valid ? result.value : null;
}

function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}

/** Guards a page: anyone logged in (optionally only some roles); an admin with a first-start password must change it first. */
export function requireLogin(...roles: Principal['kind'][]) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const principal = request.principal;
    if (!principal) return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
    if (principal.kind === 'admin' && principal.mustChangePassword && request.url !== '/password') {
      return reply.redirect('/password', 303);
    }
    if (roles.length > 0 && !roles.includes(principal.kind)) {
      return reply.status(403).view('error.eta', { title: 'Not allowed', status: 403, message: 'Your login cannot open this page.', principal, csrfToken: request.csrfToken });
    }
  };
}
