import type { Db } from '../connection.js';

export interface SessionRecord {
  id: string;
  principalKind: 'admin' | 'account' | 'mailbox';
  principalId: number;
  csrfToken: string;
  expiresAt: string;
}

interface SessionRow {
  id: string;
  principal_kind: SessionRecord['principalKind'];
  principal_id: number;
  csrf_token: string;
  expires_at: string;
}

/** Panel sessions and the settings table (the cookie secret lives there). */
export function createSessionRepository(db: Db) {
  const find = db.prepare<[string, string], SessionRow>('SELECT * FROM sessions WHERE id = ? AND expires_at > ?');
  const insert = db.prepare(
    'INSERT INTO sessions (id, principal_kind, principal_id, csrf_token, expires_at) VALUES (@id, @principalKind, @principalId, @csrfToken, @expiresAt)',
  );
  const remove = db.prepare('DELETE FROM sessions WHERE id = ?');
  const removeExpired = db.prepare('DELETE FROM sessions WHERE expires_at <= ?');
  const getSetting = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?');
  const insertSetting = db.prepare('INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)');
  return {
    find: (id: string, now: string): SessionRecord | null => {
      const row = find.get(id, now);
      return row
        ? { id: row.id, principalKind: row.principal_kind, principalId: row.principal_id, csrfToken: row.csrf_token, expiresAt: row.expires_at }
        : null;
    },
    insert: (session: SessionRecord) => insert.run(session),
    remove: (id: string) => remove.run(id),
    removeExpired: (now: string) => removeExpired.run(now),
    /** Returns the stored value, storing `initial` first if the key has none (first writer wins). */
    setting: (key: string, initial: () => string): string => {
      insertSetting.run(key, initial());
      return getSetting.get(key)!.value;
    },
  };
}

export type SessionRepository = ReturnType<typeof createSessionRepository>;
