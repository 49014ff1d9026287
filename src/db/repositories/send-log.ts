import type { SentInWindow } from '../../domain/sending-policy.js';
import type { Db } from '../connection.js';

/** One row per message accepted for sending; the hourly limit counts the rows inside its window. */
export function createSendLogRepository(db: Db) {
  const inWindow = db.prepare<[string, number], { count: number; oldest: number | null }>(
    'SELECT count(*) AS count, min(sent_at) AS oldest FROM send_log WHERE sender_key = ? AND sent_at > ?',
  );
  const insert = db.prepare('INSERT INTO send_log (sender_key, sent_at) VALUES (?, ?)');
  const remove = db.prepare('DELETE FROM send_log WHERE id = ?');
  const prune = db.prepare('DELETE FROM send_log WHERE sent_at <= ?');

  return {
    /** How many messages the sender had accepted after `since`, and the oldest of them. */
    countSince: (senderKey: string, since: number): SentInWindow => {
      const row = inWindow.get(senderKey, since)!;
      return { count: row.count, oldest: row.oldest };
    },
    /** Records one message; returns the row's id. */
    insert: (senderKey: string, sentAt: number) => Number(insert.run(senderKey, sentAt).lastInsertRowid),
    /** Takes back a message that was not delivered after all. */
    remove: (id: number) => remove.run(id),
    /** Drops every row at or before `before`, which no window counts any more. */
    prune: (before: number) => prune.run(before),
  };
}

export type SendLogRepository = ReturnType<typeof createSendLogRepository>;
