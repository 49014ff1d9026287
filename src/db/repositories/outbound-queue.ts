import type { Db } from '../connection.js';

export interface QueuedRecipient {
  id: number;
  messageId: number;
  sender: string;
  recipient: string;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  size: number;
}

interface QueuedRow {
  id: number;
  message_id: number;
  sender: string;
  recipient: string;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  size: number;
}

/** Mail waiting to leave the server: the message once, a row for each remote recipient. */
export function createOutboundQueueRepository(db: Db) {
  const insertMessage = db.prepare('INSERT INTO outbound_messages (sender, content) VALUES (?, ?)');
  const insertRecipient = db.prepare('INSERT INTO outbound_recipients (message_id, recipient) VALUES (?, ?)');
  const all = db.prepare<[], QueuedRow>(
    `SELECT r.*, m.sender, length(m.content) AS size FROM outbound_recipients r
     JOIN outbound_messages m ON m.id = r.message_id ORDER BY r.id`,
  );
  const count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM outbound_recipients');

  const enqueue = db.transaction((sender: string, content: Buffer, recipients: readonly string[]) => {
    const messageId = Number(insertMessage.run(sender, content).lastInsertRowid);
    for (const recipient of recipients) insertRecipient.run(messageId, recipient);
    return messageId;
  });

  return {
    enqueue: (sender: string, content: Buffer, recipients: readonly string[]) => enqueue(sender, content, recipients),
    list: (): QueuedRecipient[] =>
      all.all().map((row) => ({
        id: row.id,
        messageId: row.message_id,
        sender: row.sender,
        recipient: row.recipient,
        attempts: row.attempts,
        nextAttemptAt: row.next_attempt_at,
        lastError: row.last_error,
        size: row.size,
      })),
    count: () => count.get()!.n,
  };
}

export type OutboundQueueRepository = ReturnType<typeof createOutboundQueueRepository>;
