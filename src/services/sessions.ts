import { randomBytes } from 'node:crypto';
import type { SessionRecord } from '../db/repositories/sessions.js';
import type { Principal } from './auth.js';
import type { ServiceContext } from './context.js';

const SESSION_LIFETIME_MS = 12 * 60 * 60 * 1000;
const token = () => randomBytes(32).toString('base64url');

/** Panel sessions: an unguessable id in a signed cookie, a CSRF token per session, an expiry. */
export function createSessionService({ repos }: ServiceContext) {
  return {
    start(principal: Principal): SessionRecord {
      const now = Date.now();
      repos.sessions.removeExpired(new Date(now).toISOString());
      const session: SessionRecord = {
        id: token(),
        principalKind: principal.kind,
        principalId: principal.id,
        csrfToken: token(),
        expiresAt: new Date(now + SESSION_LIFETIME_MS).toISOString(),
      };
      repos.sessions.insert(session);
      return session;
    },
    find: (id: string) => repos.sessions.find(id, new Date().toISOString()),
    end: (id: string) => repos.sessions.remove(id),
    /** The secret that signs cookies: made once per data folder, so sessions survive a restart. */
    cookieSecret: () => repos.sessions.setting('cookie_secret', token),
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
