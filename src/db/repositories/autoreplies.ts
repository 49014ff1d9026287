import type { Db } from '../connection.js';

/** A mailbox's autoreply settings (migration 007). */
export interface Autoreply {
  mailboxId: number;
  enabled: boolean;
  subject: string | null;
  text: string;
  startsOn: string | null;
  endsOn: string | null;
  periodDays: number;
  updatedAt: string;
}

export type AutoreplySettings = Omit<Autoreply, 'mailboxId' | 'updatedAt'>;

interface AutoreplyRow {
  mailbox_id: number;
  enabled: number;
  subject: string | null;
  body: string;
  starts_on: string | null;
  ends_on: string | null;
  period_days: number;
  updated_at: string;
}

const toAutoreply = (row: AutoreplyRow): Autoreply => ({
  mailboxId: row.mailbox_id,
  enabled: row.enabled === 1,
  subject: row.subject,
  text: row.body,
  startsOn: row.starts_on,
  endsOn: row.ends_on,
  periodDays: row.period_days,
  updatedAt: row.updated_at,
});

/** Autoreply settings and the vacation database of who was answered when. */
export function createAutoreplyRepository(db: Db) {
  const find = db.prepare<[number], AutoreplyRow>('SELECT * FROM autoreplies WHERE mailbox_id = ?');
  const upsert = db.prepare(
    `INSERT INTO autoreplies (mailbox_id, enabled, subject, body, starts_on, ends_on, period_days)
     VALUES (@mailboxId, @enabled, @subject, @text, @startsOn, @endsOn, @periodDays)
     ON CONFLICT (mailbox_id) DO UPDATE SET enabled = excluded.enabled, subject = excluded.subject, body = excluded.body,
       starts_on = excluded.starts_on, ends_on = excluded.ends_on, period_days = excluded.period_days,
       updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`,
  );
  const remove = db.prepare('DELETE FROM autoreplies WHERE mailbox_id = ?');
  const lastReplied = db.prepare<[number, string], { last_replied_at: string }>(
    'SELECT last_replied_at FROM vacation WHERE mailbox_id = ? AND sender = ?',
  );
  const recordReply = db.prepare(
    `INSERT INTO vacation (mailbox_id, sender, last_replied_at) VALUES (?, ?, ?)
     ON CONFLICT (mailbox_id, sender) DO UPDATE SET last_replied_at = excluded.last_replied_at`,
  );
  const forgetReply = db.prepare('DELETE FROM vacation WHERE mailbox_id = ? AND sender = ?');
  const forgetAll = db.prepare('DELETE FROM vacation WHERE mailbox_id = ?');

  return {
    find: (mailboxId: number) => {
      const row = find.get(mailboxId);
      return row ? toAutoreply(row) : null;
    },
    save: (mailboxId: number, settings: AutoreplySettings) =>
      upsert.run({ mailboxId, ...settings, enabled: settings.enabled ? 1 : 0 }),
    remove: (mailboxId: number) => remove.run(mailboxId).changes > 0,
    /** When this sender last got the mailbox's autoreply, or null. */
    lastReplied: (mailboxId: number, sender: string) => {
      const row = lastReplied.get(mailboxId, sender);
      return row ? new Date(row.last_replied_at) : null;
    },
    recordReply: (mailboxId: number, sender: string, at: Date) => recordReply.run(mailboxId, sender, at.toISOString()),
    forgetReply: (mailboxId: number, sender: string) => forgetReply.run(mailboxId, sender),
    /** A new autoreply starts a new vacation: every sender is due again. */
    forgetAllReplies: (mailboxId: number) => forgetAll.run(mailboxId),
  };
}

export type AutoreplyRepository = ReturnType<typeof createAutoreplyRepository>;
